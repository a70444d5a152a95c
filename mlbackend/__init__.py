"""A reference model server for Plateau Label, speaking Label Studio's ML backend protocol."""
