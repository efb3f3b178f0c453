"""`kiosk bench ...`: performance figures printed beside their targets, never asserted.

Not part of a terminal's software: the production packages never import it
(tests/kiosk/test_layering.py).
"""
