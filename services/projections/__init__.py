"""Read models built from the event log by the workers: named, versioned, rebuilt side by side."""
