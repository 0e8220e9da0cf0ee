"""Joint Services Transcript (JST) source and verifier for passport-hub."""
