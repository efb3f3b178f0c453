/*
 * A stand-in for a vendor's national-unified-interface reader library, for tests only.
 *
 * Exports what the real library exports (iReadCardBas, iVerifyPIN and, unless built
 * with -DFAKE_WITHOUT_HSM_STEPS, the two-step HSM entry points; with
 * -DFAKE_WITHOUT_VERIFY_PIN it lacks iVerifyPIN) plus fake_* controls the test calls
 * through ctypes to choose what the next calls answer.
 *
 * Return codes follow the table in devices/card/vendor_library.py: -1 reader not
 * connected, -2 no card, -5 wrong PIN (pOutInfo holds the tries left as decimal text),
 * -6 PIN blocked, -7 nobody typed a PIN, -8 cancelled on the reader, -11 read failure.
 *
 * Build: gcc -shared -fPIC -o libfakeireadcard.so fake_ireadcard.c
 */

#include <stdatomic.h>
#include <string.h>
#include <time.h>

enum scenario {
    SCENARIO_GOOD = 0,
    SCENARIO_NO_CARD = 1,
    SCENARIO_BAD_CHECK_DIGIT = 2,
    SCENARIO_WRONG_FIELD_COUNT = 3,
    SCENARIO_UNTERMINATED = 4,
    SCENARIO_INVALID_GBK = 5,
    SCENARIO_SLOW = 6,
    SCENARIO_READER_GONE = 7,
    SCENARIO_READ_FAILURE = 8,
    SCENARIO_UNKNOWN_CODE = 9,
    SCENARIO_RARE_NAME = 10,
};

#define SPEC_OUTPUT_BYTES 1024
#define CARD_PIN "123456"
#define PIN_MAX_TRIES 3
#define SLOW_CALL_SAFETY_CAP_MS 20000 /* a failing test must not leave a thread blocked forever */

/* 张伟 is D5C5 CEB0 in GBK; ssn 320102198001011238 has a valid check digit (male, born 1980-01-01). */
#define NAME_GBK "\xD5\xC5\xCE\xB0"
#define GOOD_RECORD \
    "320100|320102198001011238|A00000019|320100D156000005A1B2C3D4E5F60001|" NAME_GBK \
    "|0086C1A20300|3.00|20210601|20310601|320100000001|0001A2B3C4D5|"
#define BAD_CHECK_DIGIT_RECORD \
    "320100|320102198001011237|A00000019|320100D156000005A1B2C3D4E5F60001|" NAME_GBK \
    "|0086C1A20300|3.00|20210601|20310601|320100000001|0001A2B3C4D5|"
/* device_no and the trailing separator are missing: ten fields. */
#define WRONG_FIELD_COUNT_RECORD \
    "320100|320102198001011238|A00000019|320100D156000005A1B2C3D4E5F60001|" NAME_GBK \
    "|0086C1A20300|3.00|20210601|20310601|320100000001"
/* 0xFF never starts a GBK character. */
#define INVALID_GBK_RECORD \
    "320100|320102198001011238|A00000019|320100D156000005A1B2C3D4E5F60001|\xFF\xFE" \
    "|0086C1A20300|3.00|20210601|20310601|320100000001|0001A2B3C4D5|"

/* 王䶮㐀龴 in GB 18030-2022: CDF5, FE9F (U+4DAE, not in GBK), 8139EE39 (U+3400, a four-byte code),
 * FE59 (U+9FB4; GB 18030-2005 mapped FE59 to the private-use U+E81E). */
#define RARE_NAME_RECORD \
    "320100|320102198001011238|A00000019|320100D156000005A1B2C3D4E5F60001|\xCD\xF5\xFE\x9F\x81\x39\xEE\x39\xFE\x59" \
    "|0086C1A20300|3.00|20210601|20310601|320100000001|0001A2B3C4D5|"

static atomic_int current_scenario = SCENARIO_GOOD;
static atomic_int pin_tries_left = PIN_MAX_TRIES;
static atomic_int last_itype = 0;
static atomic_int read_calls = 0;
static atomic_int slow_call_entered = 0;
static atomic_int slow_call_released = 0;
static char pinpad_input[32] = CARD_PIN;

/* --- test controls --------------------------------------------------------------------- */

void fake_set_scenario(int scenario)
{
    atomic_store(&current_scenario, scenario);
    atomic_store(&slow_call_entered, 0);
    atomic_store(&slow_call_released, 0);
}

/* What the citizen types on the reader's PIN pad next: "" = nothing (the reader times
 * out, -7), "*" = the cancel key (-8), otherwise the digits. */
void fake_set_pinpad_input(const char *digits)
{
    strncpy(pinpad_input, digits ? digits : "", sizeof pinpad_input - 1);
    pinpad_input[sizeof pinpad_input - 1] = '\0';
}

void fake_reset(void)
{
    fake_set_scenario(SCENARIO_GOOD);
    fake_set_pinpad_input(CARD_PIN);
    atomic_store(&pin_tries_left, PIN_MAX_TRIES);
    atomic_store(&last_itype, 0);
    atomic_store(&read_calls, 0);
}

int fake_last_itype(void) { return atomic_load(&last_itype); }
int fake_read_calls(void) { return atomic_load(&read_calls); }
int fake_slow_call_entered(void) { return atomic_load(&slow_call_entered); }
void fake_release_slow_call(void) { atomic_store(&slow_call_released, 1); }

/* --- helpers -------------------------------------------------------------------------- */

static void sleep_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

/* Stands for a library stuck in a USB transfer: blocks until the test releases it. */
static void block_until_released(void)
{
    atomic_store(&slow_call_entered, 1);
    for (int waited = 0; waited < SLOW_CALL_SAFETY_CAP_MS && !atomic_load(&slow_call_released); waited++)
        sleep_ms(1);
}

static int common_faults(int scenario)
{
    switch (scenario) {
    case SCENARIO_NO_CARD: return -2;
    case SCENARIO_READER_GONE: return -1;
    case SCENARIO_READ_FAILURE: return -11;
    case SCENARIO_UNKNOWN_CODE: return -99;
    default: return 0;
    }
}

/* --- the national unified interface --------------------------------------------------- */

int iReadCardBas(int iType, char *pOutInfo)
{
    int scenario = atomic_load(&current_scenario);
    atomic_store(&last_itype, iType);
    atomic_fetch_add(&read_calls, 1);
    if (scenario == SCENARIO_SLOW) {
        block_until_released();
        strcpy(pOutInfo, GOOD_RECORD);
        return 0;
    }
    int fault = common_faults(scenario);
    if (fault) {
        strcpy(pOutInfo, "\xCE\xB4\xB7\xA2\xCF\xD6\xBF\xA8\xC6\xAC"); /* 未发现卡片: vendors put a message here */
        return fault;
    }
    switch (scenario) {
    case SCENARIO_BAD_CHECK_DIGIT: strcpy(pOutInfo, BAD_CHECK_DIGIT_RECORD); return 0;
    case SCENARIO_WRONG_FIELD_COUNT: strcpy(pOutInfo, WRONG_FIELD_COUNT_RECORD); return 0;
    case SCENARIO_INVALID_GBK: strcpy(pOutInfo, INVALID_GBK_RECORD); return 0;
    case SCENARIO_RARE_NAME: strcpy(pOutInfo, RARE_NAME_RECORD); return 0;
    case SCENARIO_UNTERMINATED: memset(pOutInfo, '7', SPEC_OUTPUT_BYTES); return 0;
    default: strcpy(pOutInfo, GOOD_RECORD); return 0;
    }
}

#ifndef FAKE_WITHOUT_VERIFY_PIN
int iVerifyPIN(int iType, char *pOutInfo)
{
    int scenario = atomic_load(&current_scenario);
    atomic_store(&last_itype, iType);
    if (scenario == SCENARIO_SLOW) {
        block_until_released();
        return -7;
    }
    int fault = common_faults(scenario);
    if (fault)
        return fault;
    if (atomic_load(&pin_tries_left) <= 0) {
        strcpy(pOutInfo, "0");
        return -6;
    }
    if (pinpad_input[0] == '\0')
        return -7;
    if (strcmp(pinpad_input, "*") == 0)
        return -8;
    if (strcmp(pinpad_input, CARD_PIN) == 0) {
        atomic_store(&pin_tries_left, PIN_MAX_TRIES);
        strcpy(pOutInfo, "OK");
        return 0;
    }
    int left = atomic_fetch_sub(&pin_tries_left, 1) - 1;
    /* Like some vendors, the count comes with a trailing separator, and the try that locks
     * the PIN is still -5 with "0|"; only later calls answer -6. */
    pOutInfo[0] = (char)('0' + left);
    strcpy(pOutInfo + 1, "|");
    return -5;
}
#endif

#ifndef FAKE_WITHOUT_HSM_STEPS
int iReadCardBas_HSM_Step1(int iType, char *pOutInfo)
{
    (void)iType;
    pOutInfo[0] = '\0';
    return -1;
}

int iReadCardBas_HSM_Step2(char *pKey, char *pOutInfo)
{
    (void)pKey;
    pOutInfo[0] = '\0';
    return -1;
}
#endif
