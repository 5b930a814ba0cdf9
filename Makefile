# neural-predictor: `make demo` runs the main pipeline, `make test` runs every test.
# Both install what a fresh machine needs through `make setup` first.

CARGO    ?= cargo
NAS_DATA ?= ../shared/data
RUN      ?= runs/demo
BIN      := target/release
# Absolute, so tests that run in a crate's own directory find it too.
override NAS_DATA := $(abspath $(NAS_DATA))
export NAS_DATA

# A failing stage inside a pipeline fails the recipe.
SHELL       := /bin/bash
.SHELLFLAGS := -eo pipefail -c

VENV   := .venv
PYTHON := $(VENV)/bin/python
# The tests find Python with onnx and onnxruntime here.
export NP_PYTHON := $(abspath $(PYTHON))
# NAS-Bench-Graph's light tables (<dataset>.bench), installed by setup with the
# nas-bench-graph package; the tests read them here (or find them in .venv themselves).
NBGRAPH_DIR ?= $(firstword $(wildcard $(abspath $(VENV))/lib/python3*/site-packages/nas_bench_graph/light))
export NBGRAPH_DIR
# The same directory for recipes, looked up when they run (on a fresh machine the venv only
# exists once setup has run, after this file was read).
NBGRAPH_LIGHT = $(or $(NBGRAPH_DIR),$$(ls -d $(abspath $(VENV))/lib/python3*/site-packages/nas_bench_graph/light | head -n 1))

.PHONY: setup build release test demo demo-predictor demo-search fixtures bench bench-declared bench-memory bench-quality bench-nb201-quality bench-trees bench-nb201-trees bench-naap experiment experiment-nb201 experiment-rounds fuzz clean

## setup: check the toolchains, fetch every Rust dependency (pinned by Cargo.lock) and install
## the Python packages of requirements.txt (ONNX Runtime's library among them) into .venv.
setup: $(VENV)/.installed
	@command -v $(CARGO) >/dev/null || { echo "setup: cargo not found; install Rust (https://rustup.rs)" >&2; exit 1; }
	$(CARGO) fetch --locked
	@command -v parallel >/dev/null || bash scripts/install-parallel.sh

$(VENV)/.installed: requirements.txt
	@command -v python3 >/dev/null || { echo "setup: python3 not found; install Python 3.9 or later" >&2; exit 1; }
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

build: setup
	$(CARGO) build --workspace --locked

release: setup
	$(CARGO) build --workspace --release --locked

## test: unit, property and integration tests (the integration tests run the built binaries).
## The CUDA build is compiled too (type-checked, in its own target directory), so it cannot rot
## unseen on machines without a GPU; running it needs one (docs/PREDICTOR.md).
test: build
	$(CARGO) test --workspace --locked
	$(CARGO) check -p gcn-score --features cuda --locked --target-dir target/cuda-check

## demo: sample and encode NAS-Bench-101 cells, check the real records' hashes, and enumerate
## the whole space in parallel shards. Outputs go under $(RUN)/.
demo: release
	@mkdir -p $(RUN)
	$(BIN)/arch-sample --space nb101 --size
	$(BIN)/arch-sample --space nb101 --count 172 --seed 1 | $(BIN)/arch-encode --format graph -o $(RUN)/train.graph.jsonl
	@echo "demo: $$(wc -l < $(RUN)/train.graph.jsonl) random cells encoded for the predictor in $(RUN)/train.graph.jsonl"
	@if [ -f $(NAS_DATA)/nb101/records30.jsonl ]; then \
	  $(BIN)/arch-encode --space nb101 --format flat $(NAS_DATA)/nb101/records30.jsonl -o $(RUN)/records30.flat.jsonl && \
	  python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; ok=sum(x["id"]==x["hash"] for x in r); print(f"demo: {ok}/{len(r)} real NAS-Bench-101 records hash to their official id")' $(RUN)/records30.flat.jsonl; \
	else echo "demo: $(NAS_DATA)/nb101/records30.jsonl not found; skipping the real-record check"; fi
	seq 0 3 | xargs -P 4 -I{} $(BIN)/arch-sample --space nb101 --all --shard {}/4 -o $(RUN)/cells.{}.jsonl
	@cat $(RUN)/cells.0.jsonl $(RUN)/cells.1.jsonl $(RUN)/cells.2.jsonl $(RUN)/cells.3.jsonl > $(RUN)/cells.jsonl
	@rm -f $(RUN)/cells.[0-3].jsonl
	@echo "demo: $$(wc -l < $(RUN)/cells.jsonl) unique NAS-Bench-101 cells enumerated in 4 shards into $(RUN)/cells.jsonl"
	@if [ -f $(NAS_DATA)/nb101/zc500.jsonl ]; then $(MAKE) --no-print-directory demo-predictor; \
	else echo "demo: $(NAS_DATA)/nb101/zc500.jsonl not found; skipping the predictor"; fi
	$(MAKE) --no-print-directory demo-search
	$(BIN)/arch-sample --space proxyless --size
	$(BIN)/arch-sample --space proxyless --count 1000 --seed 1 | $(BIN)/arch-encode --space proxyless --format graph -o $(RUN)/proxyless.graph.jsonl
	@echo "demo: $$(wc -l < $(RUN)/proxyless.graph.jsonl) ProxylessNAS architectures encoded in $(RUN)/proxyless.graph.jsonl"

## demo-predictor: train the GCN on real NAS-Bench-101 cells (zc500: cells whose id starts with
## 6-f), evaluate it on the others (ids 0-5: twins share ids, so none leaks), and score all
## 423,624 cells.
demo-predictor: release
	$(BIN)/arch-encode --format graph $(NAS_DATA)/nb101/zc500.jsonl -o $(RUN)/zc500.graph.jsonl
	grep -v '"id":"[0-5]' $(RUN)/zc500.graph.jsonl > $(RUN)/zc500.train.jsonl
	grep '"id":"[0-5]' $(RUN)/zc500.graph.jsonl > $(RUN)/zc500.test.jsonl
	$(BIN)/gcn-train --label val_accuracy $(RUN)/zc500.train.jsonl -o $(RUN)/model.onnx
	$(BIN)/gcn-score -m $(RUN)/model.onnx $(RUN)/zc500.test.jsonl | $(BIN)/pred-eval --pred pred --truth val_accuracy --top-k 10
	$(BIN)/arch-encode $(RUN)/cells.jsonl | $(BIN)/gcn-score -m $(RUN)/model.onnx -o $(RUN)/cells.scored.jsonl
	@echo "demo: $$(wc -l < $(RUN)/cells.scored.jsonl) cells scored by the predictor in $(RUN)/cells.scored.jsonl"
	$(BIN)/topk -k 20 --by pred $(RUN)/cells.scored.jsonl -o $(RUN)/top20.jsonl
	$(BIN)/bench-query --table $(NAS_DATA)/nb101/zc500.jsonl --missing skip $(RUN)/zc500.test.jsonl \
	  | $(BIN)/topk -k 1 --by val_accuracy | cut -c1-120
	@echo "demo: the 20 cells the predictor ranks best are in $(RUN)/top20.jsonl; above, the best held-out zc500 cell by one validation run"

## demo-search: a Neural Predictor search on NAS-Bench-Graph (Cora), stage by stage: 172
## architectures trained at random, the GCN fitted on them, all 26,206 scored in 4 shards,
## the 20 best predicted trained; the deployed one against the oracle of the whole table.
demo-search: release
	$(MAKE) --no-print-directory search search-oracle SEARCH_BUILD= SPACE=nbgraph DATASET=cora N=172 K=20 SEED=1 RUN=$(RUN)/search-cora

## experiment: the paper's simulated experiment (Figures 4 and 7) on NAS-Bench-Graph datasets:
## TRIALS trials of random search, regularized evolution and the Neural Predictor for N in
## 43..860, 1000 trained models each. Curves and summaries under runs/experiment, figures in
## docs/figures, and the BENCHMARKS.md table on stdout.
TRIALS ?= 20
EXPERIMENT_DATASETS ?= cora citeseer pubmed
# Chosen on Cora (the paper's NAS-Bench-101 defaults, lr 2e-4 and weight decay 1e-3, leave the
# predictor nearly constant on these narrow accuracy ranges).
EXPERIMENT_FLAGS ?= --lr 1e-3 --weight-decay 0
experiment: release
	@mkdir -p runs/experiment docs/figures
	for dataset in $(EXPERIMENT_DATASETS); do \
	  $(BIN)/search-sim --space nbgraph --table $(NBGRAPH_LIGHT)/$$dataset.bench --trials $(TRIALS) --seed 1 \
	    $(EXPERIMENT_FLAGS) -o runs/experiment/$$dataset.csv --summary runs/experiment/$$dataset.json \
	    --plots docs/figures/$$dataset; \
	done
	python3 scripts/experiment-table.py $(foreach d,$(EXPERIMENT_DATASETS),runs/experiment/$(d).json)

## experiment-nb201: the same experiment on NAS-Bench-201 (15,625 cells) under four protocols:
## CIFAR-10 searched by its 200-epoch validation, and CIFAR-10, CIFAR-100 and ImageNet16-120
## by 12-epoch validation (NATS-Bench's recommended protocol); the reported accuracy is always
## the 200-epoch test. NB201_TRIALS trials, N from 20 to 344, 1000 trained models each (five N
## on the 200-epoch protocol, three on the 12-epoch ones, to keep each under an hour on 2 cores).
NB201_TRIALS    ?= 100
NB201_PROTOCOLS ?= cifar10-200 cifar10-12 cifar100-12 imagenet16-12
NB201_NS_200    ?= 20,43,86,172,344
NB201_NS_12     ?= 20,86,172
# The GCN's settings for NAS-Bench-201, chosen on tuning seeds apart from the reported ones
# (BENCHMARKS.md, "Predictor quality on NAS-Bench-201").
NB201_GCN_200   ?= --lr 1e-3 --label-range 80,92
NB201_GCN_12    ?= --lr 1e-3
experiment-nb201: release
	@mkdir -p runs/experiment docs/figures
	for protocol in $(NB201_PROTOCOLS); do \
	  dataset=$${protocol%-*}; epochs=$${protocol##*-}; \
	  if [ $$epochs = 200 ]; then flags="$(NB201_GCN_200) --n $(NB201_NS_200)"; else flags="$(NB201_GCN_12) --n $(NB201_NS_12)"; fi; \
	  $(BIN)/search-sim --space nb201 --table $(NAS_DATA)/nb201/nb201.csv --dataset $$dataset --search-epochs $$epochs \
	    --trials $(NB201_TRIALS) --seed 1 $$flags -o runs/experiment/nb201-$$protocol.csv \
	    --summary runs/experiment/nb201-$$protocol.json --plots docs/figures/nb201-$$protocol; \
	done
	python3 scripts/experiment-table.py $(foreach p,$(NB201_PROTOCOLS),runs/experiment/nb201-$(p).json)

## experiment-rounds: issue 17's methods table on every full table: random search, regularized
## evolution and the predictor-guided search in rounds (ROUNDS_FLAGS) under the same seeds as
## experiment and experiment-nb201 (whose one-shot Neural Predictor rows complete the tables).
## NAS-Bench-201 under its four protocols and the closed spaces zc500 (292 NAS-Bench-101
## cells) and NAAP-440 with ROUNDS_TRIALS trials; NAS-Bench-Graph's datasets with
## NBGRAPH_ROUNDS_TRIALS (each of its trials runs the whole budget: about 25 s per trial on 2
## cores). Summaries under runs/experiment/rounds-*.json, figures docs/figures/rounds-*.
ROUNDS_TRIALS         ?= 100
NBGRAPH_ROUNDS_TRIALS ?= 20
NBGRAPH_ROUNDS_DATASETS ?= cora citeseer pubmed arxiv computers cs photo physics proteins
# Measured on NAS-Bench-201 and Cora (BENCHMARKS.md, "The predictor-guided search in rounds").
ROUNDS_FLAGS          ?= --round-n 20 --round-batch 10 --warm-steps 600 --candidates local:3 --global-picks 2
ROUNDS_METHODS        := --methods random,evolution,predictor-rounds
experiment-rounds: release
	@mkdir -p runs/experiment docs/figures
	for protocol in $(NB201_PROTOCOLS); do \
	  dataset=$${protocol%-*}; epochs=$${protocol##*-}; \
	  if [ $$epochs = 200 ]; then flags="--lr 1e-3 --label-range 80,92 --two-stage 88"; else flags="--lr 1e-3"; fi; \
	  $(BIN)/search-sim --space nb201 --table $(NAS_DATA)/nb201/nb201.csv --dataset $$dataset --search-epochs $$epochs \
	    --trials $(ROUNDS_TRIALS) --seed 1 $(ROUNDS_METHODS) $(ROUNDS_FLAGS) $$flags -o runs/experiment/rounds-nb201-$$protocol.csv \
	    --per-trial runs/experiment/rounds-nb201-$$protocol.trials.csv --summary runs/experiment/rounds-nb201-$$protocol.json --plots docs/figures/rounds-nb201-$$protocol; \
	done
	$(BIN)/search-sim --space nb101 --table $(NAS_DATA)/nb101/zc500.jsonl --trials $(ROUNDS_TRIALS) --seed 1 \
	  $(ROUNDS_METHODS) $(ROUNDS_FLAGS) --lr 1e-3 -o runs/experiment/rounds-zc500.csv --per-trial runs/experiment/rounds-zc500.trials.csv \
	  --summary runs/experiment/rounds-zc500.json --plots docs/figures/rounds-zc500
	$(BIN)/naap-lines --csv $(NAS_DATA)/naap440/naap440.csv --schemes $(NAS_DATA)/naap440/generated_schemes.json \
	  --accuracy-field val_accuracy -o runs/experiment/naap440.table.jsonl
	$(BIN)/search-sim --space naap --table runs/experiment/naap440.table.jsonl --trials $(ROUNDS_TRIALS) --seed 1 \
	  $(ROUNDS_METHODS) $(ROUNDS_FLAGS) --lr 1e-3 -o runs/experiment/rounds-naap440.csv --per-trial runs/experiment/rounds-naap440.trials.csv \
	  --summary runs/experiment/rounds-naap440.json --plots docs/figures/rounds-naap440
	for dataset in $(NBGRAPH_ROUNDS_DATASETS); do \
	  space=nbgraph; [ $$dataset = proteins ] && space=nbgraph-proteins; \
	  $(BIN)/search-sim --space $$space --table $(NBGRAPH_LIGHT)/$$dataset.bench --trials $(NBGRAPH_ROUNDS_TRIALS) --seed 1 \
	    $(ROUNDS_METHODS) $(ROUNDS_FLAGS) $(EXPERIMENT_FLAGS) -o runs/experiment/rounds-$$dataset.csv \
	    --per-trial runs/experiment/rounds-$$dataset.trials.csv \
	    --summary runs/experiment/rounds-$$dataset.json --plots docs/figures/rounds-$$dataset; \
	done
	python3 scripts/experiment-table.py runs/experiment/rounds-*.json

## bench-cost: how closely arch-cost reproduces NAS-Bench-101's trainable_parameters (30
## records) and NAS-Bench-Suite-Zero's params and FLOPs (500 NAS-Bench-101 cells, 491
## NAS-Bench-201 cells on each of three datasets); see docs/COST.md.
bench-cost: release
	$(BIN)/arch-cost $(NAS_DATA)/nb101/records30.jsonl | python3 scripts/cost-agreement.py records
	$(BIN)/arch-cost $(NAS_DATA)/nb101/zc500.jsonl | python3 scripts/cost-agreement.py zc500
	for d in cifar10 cifar100 imagenet16; do grep "\"dataset\": \"$$d\"" $(NAS_DATA)/nb201/zc491.jsonl \
	  | $(BIN)/arch-cost --space nb201 --dataset $$d --flops torchstat | python3 scripts/cost-agreement.py zc491 $$d; done

## fixtures: rewrite fixtures/ (sampled cells, their encodings, small predictor files and their
## scores) with this version's tools; tests/fixtures.rs holds later versions to them.
fixtures: release
	bash scripts/make-fixtures.sh $(BIN)

## bench: timings recorded in BENCHMARKS.md (median of several runs), the last part with
## subnormal weights planted in a model (x86-64).
bench: release
	bash scripts/bench-foundation.sh $(BIN)
	bash scripts/bench-declared.sh $(BIN)
	bash scripts/bench-predictor.sh $(BIN) $(NAS_DATA)
	bash scripts/bench-subnormal.sh $(BIN) $(NAS_DATA) 3 $(PYTHON)

## bench-declared: the built-in NAS-Bench-101, NAS-Bench-201 and ProxylessNAS spaces against their
## declarations in fixtures/spaces/ (enumerate or sample, then encode), and the ratio.
bench-declared: release
	bash scripts/bench-declared.sh $(BIN)

## bench-memory: gcn-score's peak memory on the encoded NAS-Bench-101 space streamed once and 24
## times (10.2 million lines), both backends; the model is bench's (172 zc500 cells).
bench-memory: release
	@mkdir -p runs/bench
	$(BIN)/arch-encode --format graph $(NAS_DATA)/nb101/zc500.jsonl -o runs/bench/zc500.graph.jsonl
	head -172 runs/bench/zc500.graph.jsonl > runs/bench/train172.jsonl
	$(BIN)/gcn-train -q --label val_accuracy runs/bench/train172.jsonl -o runs/bench/model.onnx
	$(BIN)/arch-sample --all | $(BIN)/arch-encode -o runs/bench/all.graph.jsonl
	python3 scripts/bench-memory.py $(BIN) runs/bench/model.onnx runs/bench/all.graph.jsonl 24

## bench-quality: predictor quality on the 292 real zc500 cells (ten 172/120 splits).
bench-quality: release
	@mkdir -p runs/bench
	$(BIN)/arch-encode --format graph $(NAS_DATA)/nb101/zc500.jsonl -o runs/bench/zc500.graph.jsonl
	$(CARGO) run --release --locked -q -p np-predictor --example zc500_quality -- runs/bench/zc500.graph.jsonl

## bench-nb201-quality: the GCN on NAS-Bench-201 (CIFAR-10 200-epoch validation), trained on
## N = 78, 156, 469 and 1,563 random cells and judged on all the others; ten seeds, one and two
## stages, with the settings chosen for this space (docs/PREDICTOR.md).
NB201_GCN_FLAGS = --lr 2e-3 --label-range 80,92 --rank-weight 300 --threshold 85
bench-nb201-quality: release
	@mkdir -p runs/bench
	$(BIN)/arch-sample --space nb201 --all | $(BIN)/bench-query $(NB201_TABLE_FLAGS) \
	  | $(BIN)/arch-encode --space nb201 --format graph -o runs/bench/nb201-cifar10.graph.jsonl
	$(CARGO) run --release --locked -q -p np-predictor --example nb201_quality -- \
	  runs/bench/nb201-cifar10.graph.jsonl $(NB201_GCN_FLAGS)

## bench-trees: cheap signals (zero-cost proxies, cost, the flat encoding) in gradient-boosted
## trees against the GCN, on the same 292 zc500 cells and ten 172/120 splits; each proxy's ρ.
bench-trees: release
	@mkdir -p runs/bench
	$(BIN)/arch-encode --format flat $(NAS_DATA)/nb101/zc500.jsonl -o runs/bench/zc500.flat.jsonl
	$(CARGO) run --release --locked -q -p np-trees --example zc500_trees -- runs/bench/zc500.flat.jsonl

## bench-nb201-trees: the same on NAS-Bench-201: (a) zc491's 491 cells per dataset, trees on the
## proxies against the GCN, ten 289/202 splits; (b) all 15,625 cells (CIFAR-10 200-epoch
## validation), trees on NASWOT, params and FLOPs trained on 156 and 1,563 cells.
NB201_TABLE_FLAGS = --space nb201 --table $(NAS_DATA)/nb201/nb201.csv --dataset cifar10 --search-epochs 200
bench-nb201-trees: release
	@mkdir -p runs/bench
	$(BIN)/arch-encode --space nb201 --format flat $(NAS_DATA)/nb201/zc491.jsonl -o runs/bench/zc491.flat.jsonl
	$(BIN)/arch-sample --space nb201 --all | $(BIN)/bench-query $(NB201_TABLE_FLAGS) | $(BIN)/arch-cost --space nb201 \
	  | $(BIN)/arch-encode --space nb201 --format flat -o runs/bench/nb201-cifar10.flat.jsonl
	$(CARGO) run --release --locked -q -p np-trees --example nb201_trees -- runs/bench/zc491.flat.jsonl \
	  runs/bench/nb201-cifar10.flat.jsonl $(NAS_DATA)/nb201/nb201.csv

## bench-naap: NAAP-440's fixed 400/40 split, final accuracy from the scheme alone and after
## 1, 2, 3, 5 and 9 epochs: trees, the GCN on the scheme graph and the early accuracy itself.
bench-naap: release
	@mkdir -p runs/bench
	$(BIN)/naap-lines --csv $(NAS_DATA)/naap440/naap440.csv --schemes $(NAS_DATA)/naap440/generated_schemes.json --epochs 9 \
	  | $(BIN)/arch-encode --space naap --format flat -o runs/bench/naap440.flat.jsonl
	$(CARGO) run --release --locked -q -p np-trees --example naap440_table -- runs/bench/naap440.flat.jsonl

## fuzz: libFuzzer on every parser of outside input (architecture lines of each space, the line
## scanner, graph/flat fields, TFRecord, pickle and JSON-lines tables, ONNX predictor files,
## NAAP-440's CSV and schemes), FUZZ_SECONDS per target, FUZZ_JOBS targets at a time, on stable
## Rust with a C++ compiler (docs/RELIABILITY.md). Corpora, logs and crashing inputs stay under
## runs/fuzz/; the table at the end goes to runs/fuzz/summary.md. Fails when a target crashed.
FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= 2
FUZZ_TARGETS ?= all
fuzz: build
	bash scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) "$(FUZZ_TARGETS)" $(NAS_DATA) "$(NBGRAPH_LIGHT)" $(abspath $(PYTHON))

include make/search.mk
include make/pareto.mk

clean:
	$(CARGO) clean
	rm -rf runs $(VENV)
