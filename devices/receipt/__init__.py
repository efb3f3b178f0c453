"""Receipt printing: a device-neutral layout, the ESC/POS encoder and drivers, a stream decoder."""
