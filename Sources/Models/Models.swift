// The Models layer of the Glimpse engine.
