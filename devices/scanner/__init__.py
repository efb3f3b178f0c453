"""QR scanners: serial line-terminated codes and the USB-HID keyboard wedge."""
