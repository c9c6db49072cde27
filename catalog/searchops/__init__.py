"""Operating search: moving a catalogue between search backends (app/cli/switching.py)."""
