#!/usr/bin/env python3
"""Export NAS-Bench-201's table, `nb201.csv`, from the official benchmark file.

Usage: export-nb201.py NATS-tss-v1_0-3ffb9-simple > nb201.csv
       (needs `pip install nats_bench` and the benchmark's `-simple` directory, which the
       NATS-Bench project links; NATS-Bench's topology space is NAS-Bench-201)

Writes the columns of the table `bench-query --space nb201 --table` reads, in its order: one row
per cell in the benchmark's index order, accuracies in percent, each the mean over the
benchmark's seeds (`is_random=False`). Where each column comes from:

  index, arch                 the index, api.arch(index)
  params_m                    get_cost_info(index, 'cifar10', hp='200')['params'] (millions)
  cifar10_valid_200           get_more_info(index, 'cifar10-valid', hp='200')['valid-accuracy']
  cifar10_validtest_200       the same call's 'test-accuracy' (same training, test set)
  cifar10_test_200            get_more_info(index, 'cifar10', hp='200')['test-accuracy']
  cifar100_test_200           get_more_info(index, 'cifar100', hp='200')['test-accuracy']
  imagenet16_test_200         get_more_info(index, 'ImageNet16-120', hp='200')['test-accuracy']
  <d>_valid_12, <d>_test_12   hp='12': cifar10 from 'cifar10-valid' ('valid-accuracy') and
                              'cifar10' ('test-accuracy'); cifar100 and imagenet16 from
                              'cifar100' and 'ImageNet16-120' ('valid-accuracy', 'test-accuracy')
  naswot_cifar10              left empty: NASWOT scores are not in the benchmark (the shipped
                              table takes them from nas-without-training's results)

Checked against the NATS-Bench API's source and documentation (nats_bench/api_topology.py and
api_utils.py): `create(path, 'tss', fast_mode=True)` takes the `-simple` directory;
`get_more_info(index, dataset, iepoch=None, hp, is_random)` returns 'valid-accuracy' from the
'x-valid' split and 'test-accuracy' from 'ori-test' for 'cifar10-valid' and 'cifar10' and from
'x-test' for 'cifar100' and 'ImageNet16-120' ('valtest-accuracy', on 'ori-test', is not used);
`get_cost_info(index, dataset, hp)` returns 'flops', 'params' (both in millions) and 'latency';
the dataset names are 'cifar10-valid', 'cifar10', 'cifar100', 'ImageNet16-120'. The script has
not been run here: the repository's tests have no benchmark file (it is several gigabytes).
"""
import csv
import sys

DATASETS = {"cifar10": ("cifar10-valid", "cifar10"), "cifar100": ("cifar100",) * 2,
            "imagenet16": ("ImageNet16-120",) * 2}
COLUMNS = ["index", "arch", "params_m", "cifar10_valid_200", "cifar10_validtest_200", "cifar10_test_200",
           "cifar100_test_200", "imagenet16_test_200"] + [
    f"{name}_{kind}_12" for name in DATASETS for kind in ("valid", "test")] + ["naswot_cifar10"]


def number(x):
    return repr(round(float(x), 6))


def row(api, index):
    def info(dataset, hp):
        return api.get_more_info(index, dataset, hp=hp, is_random=False)

    valid_200 = info("cifar10-valid", "200")
    values = {"index": index, "arch": api.arch(index),
              "params_m": number(api.get_cost_info(index, "cifar10", hp="200")["params"]),
              "cifar10_valid_200": number(valid_200["valid-accuracy"]),
              "cifar10_validtest_200": number(valid_200["test-accuracy"]),
              "cifar10_test_200": number(info("cifar10", "200")["test-accuracy"]),
              "cifar100_test_200": number(info("cifar100", "200")["test-accuracy"]),
              "imagenet16_test_200": number(info("ImageNet16-120", "200")["test-accuracy"]),
              "naswot_cifar10": ""}
    for name, (valid_set, test_set) in DATASETS.items():
        values[f"{name}_valid_12"] = number(info(valid_set, "12")["valid-accuracy"])
        values[f"{name}_test_12"] = number(info(test_set, "12")["test-accuracy"])
    return [values[column] for column in COLUMNS]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    from nats_bench import create

    api = create(sys.argv[1], "tss", fast_mode=True, verbose=False)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    for index in range(len(api)):
        out.writerow(row(api, index))
        api.clear_params(index)  # fast mode loads each cell on demand; keep memory flat


if __name__ == "__main__":
    main()
