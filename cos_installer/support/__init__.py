"""What helps the operator when something goes wrong: the install log, the diagnostics bundle,
the advice (cause and hint) for each failure, private files, and escaping of shown values."""
