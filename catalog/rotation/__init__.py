"""Book rotation: batches of copies sent round the schools and points, step by step, and their history."""
