// The Workbench layer of the Glimpse engine.
