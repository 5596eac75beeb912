"""Mechanisms no single role owns: violence and the agreed exchange itself."""
