# Shared by the bench scripts: `median_seconds COMMAND` runs COMMAND $runs times (stdout
# discarded, pipefail on) and prints the median wall time in seconds.
median_seconds() {
  local command=$1 times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    bash -c "set -o pipefail; $command" >/dev/null
    end=$(date +%s%N)
    times+=("$(( (end - start) / 1000000 ))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m / 1000}'
}

# The machine line of a benchmark table: cores, the CPU's name, vendor, family and model (cloud
# hosts often report only "Intel(R) Xeon(R) Processor"; the model number tells the generation),
# and whether it has AVX-512 and AMX. Figures from different CPU families do not compare: Intel
# cores, for one, compute with subnormal floats far more slowly than AMD's.
machine_line() {
  local field flags
  field() { grep -m1 "^$1[[:space:]]*:" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'; }
  flags=$(field flags)
  echo "machine: $(nproc) cores, $(field 'model name') ($(field vendor_id), family $(field 'cpu family') model $(field model);" \
    "AVX-512 $([[ " $flags " == *" avx512f "* ]] && echo yes || echo no), AMX $([[ " $flags " == *" amx_tile "* ]] && echo yes || echo no))"
}
