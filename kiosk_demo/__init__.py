"""The demo: simulated devices worked by scripted journeys or by the simulator panel, demo cards and checks.

Not part of a terminal's software: the production packages (`kiosk`, `ui`, `devices`)
never import it (tests/kiosk/test_layering.py). It needs the `demo` extra (the embedded
reference back office).
"""
