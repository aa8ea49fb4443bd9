"""Training: splitting and streaming a class's rows, stacks of classes, the compiled loop,
the model pool and the callbacks."""
