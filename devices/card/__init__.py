"""Social security card: validated card data, the APDU card profile, PC/SC and vendor-library readers, the virtual card."""
