"""Generation: latent points, decoding, and the redraw of rows that copy a class row."""
