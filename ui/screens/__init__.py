"""One module per screen. Screens draw state and emit signals; they never navigate."""
