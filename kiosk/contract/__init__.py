"""The back-office contract: the only code the kiosk and the reference back office share.

`models` holds the JSON shapes of the `/v1` API, `signing` the terminal request
signature, `identifiers` the social security number and card identifier rules.
"""
