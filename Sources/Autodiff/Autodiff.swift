// The Autodiff layer of the Glimpse engine.
