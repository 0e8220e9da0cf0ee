"""passport-hub plugin for American Red Cross certificates.

Reads certificate PDFs (full and wallet size) and the public "Find My Certificate"
lookup (an HTML fragment), and verifies a record by looking its certificate ID up again.
"""
