"""A4 documents: a device-neutral layout, the Qt PDF renderer, PDF and CUPS printers."""
