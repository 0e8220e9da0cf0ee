"""passport-hub plugin: Open Badges 3.0 / CLR 2.0 / W3C VC import and verification."""
