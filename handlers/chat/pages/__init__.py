"""Answers that are pages rather than flows: info, knowledge, deadlines, review queue, privacy, results."""
