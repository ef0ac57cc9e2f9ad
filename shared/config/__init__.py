"""What the process is given: the settings (declared once, in settings_table), rate-limit windows, the clock."""
