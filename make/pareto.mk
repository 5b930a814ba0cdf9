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

## pareto-nb201: accuracy (CIFAR-10, 200-epoch validation) against latency on NAS-Bench-201,
## one device at a time from latency.csv: a GPU at batch 1, a phone, a Raspberry Pi 4, the FPGA
## and the Eyeriss ASIC model (the table holds no edge GPU). N = 100 of 200 trained, the GCN
## with its full 0–100 output range (the front reaches down to the cheapest, poorest cells).
PARETO_NB201_DEVICES ?= 1080ti_1 pixel3 raspi4 fpga eyeriss
.PHONY: pareto-nb201
pareto-nb201: release
	@mkdir -p runs/pareto docs/figures
	for device in $(PARETO_NB201_DEVICES); do \
	  $(BIN)/pareto-sim --space nb201 --table $(NAS_DATA)/nb201/nb201.csv --dataset cifar10 --search-epochs 200 \
	    --latency $(NAS_DATA)/nb201/latency.csv --device $$device --cost latency_ms --n 100 --budget 200 \
	    --trials $(PARETO_TRIALS) --lr 1e-3 -o runs/pareto/nb201-$$device.json --plots docs/figures/pareto-nb201-$$device; \
	done
