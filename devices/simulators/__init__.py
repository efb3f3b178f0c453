"""Simulators for all four device classes, same interfaces as the drivers, with fault injection."""
