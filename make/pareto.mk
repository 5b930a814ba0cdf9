## pareto: accuracy against cost. The Neural Predictor aimed at the Pareto front against random
## search with the same budget (PARETO_TRIALS trials each): accuracy-latency on NAS-Bench-Graph
## (Cora, N = 172 of 300 trained) and accuracy-parameters on the 292 zc500 NAS-Bench-101 cells
## (N = 40 of 80). Summaries under runs/pareto, figures in docs/figures/pareto-*.
PARETO_TRIALS ?= 10
.PHONY: pareto
pareto: release
	@mkdir -p runs/pareto docs/figures
	$(BIN)/pareto-sim --space nbgraph --table $(NBGRAPH_LIGHT)/cora.bench --cost latency --n 172 --budget 300 \
	  --trials $(PARETO_TRIALS) --lr 1e-3 --weight-decay 0 -o runs/pareto/cora-latency.json \
	  --plots docs/figures/pareto-cora-latency
	$(BIN)/pareto-sim --space nb101 --table $(NAS_DATA)/nb101/zc500.jsonl --cost params --n 40 --budget 80 \
	  --trials $(PARETO_TRIALS) -o runs/pareto/zc500-params.json --plots docs/figures/pareto-zc500-params
