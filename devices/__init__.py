"""Device layer: one interface per device class, drivers and simulators."""
