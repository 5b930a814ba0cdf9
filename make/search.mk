# A Neural Predictor search as make targets: every stage writes one file under the run
# directory, so an interrupted run resumes where it stopped, `make -j` runs independent
# stages together, and any stage can be swapped (TRAIN=your trainer).
#
#   make search SPACE=nbgraph DATASET=cora N=172 K=20 POOL=all SEED=1 RUN=runs/cora-1
#   make search SPACE=nb201 DATASET=cifar100 SEARCH_EPOCHS=12 N=100 K=20
#   make search SPACE_FILE=my-space.toml BENCH=my-table.csv \
#     TABLE_FLAGS='--val-column val_acc --test-column test_acc' N=50 ROUNDS=5
#
# SPACE_FILE is a space of your own (docs/SPACES.md), used instead of SPACE by every stage; its
# table is BENCH, read with TABLE_FLAGS (the column flags; docs/SPACES.md, "Tables").
#
#   samples.jsonl      N random architectures                       arch-sample
#   trained.jsonl      ... trained and validated                    $(TRAIN)
#   model.onnx         the GCN predictor fitted on them             arch-encode | gcn-train
#   pool.jsonl         the architectures to rank (POOL=all: the whole space)
#   scores.jsonl       the pool scored in SHARDS shards by xargs -P $(JOBS), merged in order
#   top.jsonl          the K best predicted that are not trained yet  topk --exclude
#   top-trained.jsonl  ... trained and validated                    $(TRAIN)
#   best.jsonl         the architecture to deploy: best validation among the N + K
#   oracle.jsonl       the best validation in the whole table (for comparison only)
#
# With ROUNDS=R (the predictor-guided search in rounds, docs/SEARCH.md) the K are replaced by R
# rounds of BATCH each, one directory per round, every stage again a file:
#
#   round-001/model.onnx            the GCN fitted on everything trained before the round
#                                   (FIT_STEPS steps; later rounds WARM_STEPS from the last model)
#   round-001/neighbours.jsonl      the untrained neighbours of the NEIGHBOURS best trained
#   round-001/neighbour-scores.jsonl  ... scored
#   round-001/scores.jsonl          the pool scored, in shards
#   round-001/batch.jsonl           BATCH - GLOBAL best predicted neighbours, then the GLOBAL best
#                                   of the pool (at most BATCH - 1; all BATCH from the pool if the
#                                   neighbours are fewer than BATCH, or with NEIGHBOURS=0)
#   round-001/batch-trained.jsonl   ... trained and validated (one parallel batch: any TRAIN)
#   round-001/trained.jsonl         everything trained so far (the next round's training set)
#   best.jsonl                      best validation among all N + R x BATCH

SPACE   ?= nbgraph
DATASET ?= cora
# NAS-Bench-201 (SPACE=nb201, DATASET=cifar10|cifar100|imagenet16) answers from nb201.csv
# under a protocol: the search signal is the validation accuracy after SEARCH_EPOCHS epochs
# (200 exists only for cifar10; 12 is NATS-Bench's recommended protocol), the report the
# 200-epoch test accuracy.
SPACE_FILE ?=
SPACE_ARGS = $(if $(SPACE_FILE),--space-file $(SPACE_FILE),--space $(SPACE))
# The space's name in the run directory: the spec file's name without its extension.
SPACE_NAME = $(if $(SPACE_FILE),$(basename $(notdir $(SPACE_FILE))),$(SPACE))
SEARCH_EPOCHS ?= $(if $(filter cifar10,$(DATASET)),200,12)
BENCH   ?= $(if $(SPACE_FILE),$(error SPACE_FILE needs BENCH=<its table> and the TABLE_FLAGS that read it),$(if $(filter nb201,$(SPACE)),$(NAS_DATA)/nb201/nb201.csv,$(NBGRAPH_LIGHT)/$(DATASET).bench))
TABLE_FLAGS ?= $(if $(and $(filter nb201,$(SPACE)),$(if $(SPACE_FILE),,yes)),--dataset $(DATASET) --search-epochs $(SEARCH_EPOCHS))
N       ?= 172
K       ?= 20
POOL    ?= all
SEED    ?= 1
SHARDS  ?= 4
JOBS    ?= $(SHARDS)
# Extra gcn-train flags, e.g. GCN_FLAGS='--two-stage --threshold 91' on NAS-Bench-101; on
# NAS-Bench-Graph the paper's lr 2e-4 and weight decay 1e-3 leave the predictor nearly constant.
GCN_FLAGS ?= $(if $(and $(filter nbgraph%,$(SPACE)),$(if $(SPACE_FILE),,yes)),--lr 1e-3 --weight-decay 0)
# Extra topk conditions, e.g. TOP_WHERE="--where p_good>=0.5" with a two-stage predictor.
TOP_WHERE ?=
# The "train and validate" step: any command that reads architecture lines and writes each
# back with val_accuracy. Default: the benchmark table, one seeded run per architecture.
TRAIN   ?= $(BIN)/bench-query $(SPACE_ARGS) --table $(BENCH) $(TABLE_FLAGS) --seed $(SEED)
# What `make search` builds first (empty to use binaries already built under BIN).
SEARCH_BUILD ?= release

# The search in rounds: ROUNDS rounds of BATCH architectures after the N random ones (0: the
# one-shot search with K). Each round's candidates are the neighbours (one mutation away) of the
# NEIGHBOURS best trained, and GLOBAL slots of a batch go to the pool's best predicted; the first
# fit trains FIT_STEPS gradient steps, every later one WARM_STEPS from the last round's model
# (WARM_STEPS=0: every round from scratch). search-sim's defaults, chosen by measurement
# (BENCHMARKS.md, "The predictor-guided search in rounds").
ROUNDS  ?= 0
BATCH   ?= 10
NEIGHBOURS ?= 3
GLOBAL  ?= 2
FIT_STEPS  ?= 3000
WARM_STEPS ?= 600

# gcn-train reads the lines' space from them; a declared one it must be told about.
GCN_SPACE = $(if $(SPACE_FILE),--space-file $(SPACE_FILE))

SEARCH_RUN := $(if $(filter command line environment,$(origin RUN)),$(RUN),runs/search-$(SPACE_NAME)$(if $(SPACE_FILE),,-$(DATASET))-seed$(SEED))
R := $(SEARCH_RUN)
POOL_ARGS := $(if $(filter all,$(POOL)),--all,--count $(POOL) --seed $(shell echo $$(( $(SEED) + 1000000 ))))

.PHONY: search search-oracle

# The rounds' directories, and the file holding everything trained when the search ends.
ROUND_DIRS := $(if $(filter-out 0,$(ROUNDS)),$(shell seq -f '$(R)/round-%03g' 1 $(ROUNDS)))
ALL_TRAINED := $(if $(ROUND_DIRS),$(lastword $(ROUND_DIRS))/trained.jsonl,$(R)/trained.jsonl $(R)/top-trained.jsonl)
SEARCH_SHAPE := $(if $(ROUND_DIRS),N=$(N) then $(ROUNDS) rounds of $(BATCH),N=$(N), K=$(K))

## search: one Neural Predictor search, stage by stage under $(R)/; prints the deployed
## architecture with its validation and test accuracy and how many were trained.
search: $(SEARCH_BUILD) $(R)/best.jsonl
	@python3 scripts/show-architecture.py search $(R)/best.jsonl \
	  "(deployed after training $$(cat $(ALL_TRAINED) | wc -l) architectures: $(SEARCH_SHAPE))"

$(R)/samples.jsonl:
	@mkdir -p $(@D)
	$(BIN)/arch-sample $(SPACE_ARGS) --count $(N) --seed $(SEED) -o $@

$(R)/trained.jsonl: $(R)/samples.jsonl
	$(TRAIN) < $< > $@.partial && mv $@.partial $@

$(R)/model.onnx: $(R)/trained.jsonl
	$(BIN)/arch-encode $(SPACE_ARGS) --format graph $< | $(BIN)/gcn-train --label val_accuracy -q $(GCN_FLAGS) $(GCN_SPACE) -o $@

$(R)/pool.jsonl:
	@mkdir -p $(@D)
	$(BIN)/arch-sample $(SPACE_ARGS) $(POOL_ARGS) -o $@

# Shards by line count (split -n l/S never cuts a line), scored in parallel, merged in order:
# the same bytes as scoring the pool in one process. $(call score_in_shards,MODEL,DIR) scores
# the pool with MODEL into $@, splitting under DIR/shards.
define score_in_shards
	rm -rf $(2)/shards && mkdir -p $(2)/shards
	split -n l/$(SHARDS) -d -a 3 $(R)/pool.jsonl $(2)/shards/pool.
	ls $(2)/shards/pool.* | xargs -P $(JOBS) -I{} $(BIN)/gcn-score -m $(1) {} -o {}.scored
	cat $$(ls $(2)/shards/pool.*.scored | sort) > $@.partial && mv $@.partial $@
	rm -rf $(2)/shards
endef

$(R)/scores.jsonl: $(R)/pool.jsonl $(R)/model.onnx
	$(call score_in_shards,$(R)/model.onnx,$(R))

$(R)/top.jsonl: $(R)/scores.jsonl $(R)/trained.jsonl
	$(BIN)/topk -k $(K) --by pred $(TOP_WHERE) --exclude $(R)/trained.jsonl $< -o $@

$(R)/top-trained.jsonl: $(R)/top.jsonl
	$(TRAIN) < $< > $@.partial && mv $@.partial $@

$(R)/best.jsonl: $(ALL_TRAINED)
	cat $^ | $(BIN)/topk -k 1 --by val_accuracy -o $@

# One round: $(1) its directory, $(2) everything trained before it, $(3) its number, $(4) the
# last round's directory (empty for the first). TRAIN is left to the recipe ($$(TRAIN)): its
# default holds a shell substitution that must reach the shell.
WARM = $(and $(4),$(filter-out 0,$(WARM_STEPS)))
define search_round
$(1)/model.onnx: $(2) $(if $(WARM),$(4)/model.onnx)
	@mkdir -p $(1)
	$(BIN)/arch-encode $(SPACE_ARGS) --format graph $(2) | $(BIN)/gcn-train --label val_accuracy -q $(GCN_FLAGS) $(GCN_SPACE) \
	  $(if $(WARM),--warm-start $(4)/model.onnx --steps $(WARM_STEPS),--steps $(FIT_STEPS)) -o $$@

$(1)/neighbours.jsonl: $(2)
	@mkdir -p $(1)
	$(if $(filter-out 0,$(NEIGHBOURS)),$(BIN)/arch-sample $(SPACE_ARGS) --neighbours-of $(2) --parents $(NEIGHBOURS) \
	  --seed $$$$(( $(SEED) * 1000 + $(3) )) -o $$@,: > $$@)

$(1)/neighbour-scores.jsonl: $(1)/neighbours.jsonl $(1)/model.onnx
	$(BIN)/gcn-score -m $(1)/model.onnx $(1)/neighbours.jsonl -o $$@

$(1)/scores.jsonl: $(R)/pool.jsonl $(1)/model.onnx
	$$(call score_in_shards,$(1)/model.onnx,$(1))

$(1)/batch.jsonl: $(1)/scores.jsonl $(1)/neighbour-scores.jsonl $(2)
	near=$$$$(( $(BATCH) > $(GLOBAL) ? $(BATCH) - $(GLOBAL) : 1 )); \
	if [ $$$$(wc -l < $(1)/neighbours.jsonl) -ge $(BATCH) ]; then \
	  $(BIN)/topk -k $$$$near --by pred $(TOP_WHERE) $(1)/neighbour-scores.jsonl -o $$@.near && \
	  $(BIN)/topk -k $$$$(( $(BATCH) - near )) --by pred $(TOP_WHERE) --exclude $(2) --exclude $$@.near \
	    $(1)/scores.jsonl -o $$@.far && \
	  cat $$@.near $$@.far > $$@.partial && rm $$@.near $$@.far; \
	else \
	  $(BIN)/topk -k $(BATCH) --by pred $(TOP_WHERE) --exclude $(2) $(1)/scores.jsonl -o $$@.partial; \
	fi && mv $$@.partial $$@

$(1)/batch-trained.jsonl: $(1)/batch.jsonl
	$$(TRAIN) < $$< > $$@.partial && mv $$@.partial $$@

$(1)/trained.jsonl: $(2) $(1)/batch-trained.jsonl
	cat $(2) $(1)/batch-trained.jsonl > $$@.partial && mv $$@.partial $$@
endef
$(foreach i,$(shell seq 1 $(words $(ROUND_DIRS))),$(eval $(call search_round,$(word $(i),$(ROUND_DIRS)),$(if $(filter 1,$(i)),$(R)/trained.jsonl,$(word $(shell echo $$(($(i) - 1))),$(ROUND_DIRS))/trained.jsonl),$(i),$(if $(filter 1,$(i)),,$(word $(shell echo $$(($(i) - 1))),$(ROUND_DIRS))))))

## search-oracle: the best validation accuracy in the whole table (what no search can beat).
search-oracle: $(SEARCH_BUILD) $(R)/oracle.jsonl
	@python3 scripts/show-architecture.py oracle $(R)/oracle.jsonl "(best validation in the whole table)"

$(R)/oracle.jsonl:
	@mkdir -p $(@D)
	$(BIN)/arch-sample $(SPACE_ARGS) --all | $(TRAIN) | $(BIN)/topk -k 1 --by val_accuracy -o $@
