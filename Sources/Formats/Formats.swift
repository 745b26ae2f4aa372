// The Formats layer of the Glimpse engine.
