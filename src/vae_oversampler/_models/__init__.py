"""The Keras models and their losses: the tabular, image and stacked VAEs."""
