# Glimpse — build, run and test. `make run` and `make test` do all set-up.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
CONFIG ?= release
BIN = .build/$(CONFIG)/glimpse
DEBIAN_PACKAGES = libncursesw5-dev libpng-dev libjpeg62-turbo-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist tmux

.PHONY: deps build run test bench assets clean

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages; run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) --product glimpse

run: build
	$(BIN)

test: deps
	$(SWIFT) build -c $(CONFIG) --product glimpse
	$(SWIFT) test -c $(CONFIG)

bench: build
	$(BIN) bench --arch deit_tiny_patch16_224 --keep 0.5
	$(BIN) bench --arch deit_small_patch16_224 --keep 0.5

# Retrains the embedded model: the backbone with its Scorer (trained
# alongside), then two epochs without dropping steps, which keep that Scorer
# (about 45 min in all on 2 cores); appends the pruning sweep to its model
# card, and rewrites the bundled samples. `glimpse train-scorer` is not run
# afterwards: refitting to plain Grad-CAM prunes this model worse. A re-run
# lands within the spread of results docs/FASHION_VIT.md records, not
# necessarily on the shipped figures.
FASHION_VIT = assets/models/fashion-vit
FASHION_VIT_START = .build/fashion-vit-start
PRUNING_SWEEP = --keep 0.1,0.2,0.3,0.4,0.5,0.7 --markdown
assets: build
	$(BIN) train vit --data fashion-mnist --out $(FASHION_VIT_START) --patch-hidden 64 --depth 8 --scorer-layer 1 --seed 2
	$(BIN) train vit --data fashion-mnist --from $(FASHION_VIT_START) --out $(FASHION_VIT) --epochs 2 --learning-rate 3e-4 --warmup-epochs 0.1 --token-drop 0
	$(BIN) sweep --model $(FASHION_VIT) $(PRUNING_SWEEP) > $(FASHION_VIT)/pruning.md
	{ printf '\n## Pruning\n\nTokens pruned after the Scorer'"'"'s block, on the test split (`glimpse sweep --model fashion-vit $(PRUNING_SWEEP)`):\n\n'; \
	  cat $(FASHION_VIT)/pruning.md; } >> $(FASHION_VIT)/README.md
	rm $(FASHION_VIT)/pruning.md
	$(BIN) samples --data fashion-mnist --split test --out assets/samples

clean:
	rm -rf .build
