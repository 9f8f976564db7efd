"""Small helpers every layer may use, depending on nothing else of the installer: sizes,
escaping of shown values, private files, the terminal's typed-ahead input."""
