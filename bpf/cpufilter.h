/* cpufilter.h: what bpf/cpufilter.bpf.c and its loader (collectors/cpuprof_filter.c)
 * share: the counters user space reads from the program's .bss. */
#ifndef GMPTOP_BPF_CPUFILTER_H
#define GMPTOP_BPF_CPUFILTER_H

/* Slots of the per-CPU counter array. */
enum cpufilter_counter {
    CPUFILTER_KEPT,     /* samples of the target, written to the ring */
    CPUFILTER_DROPPED,  /* samples of any other task, dropped before the stack copy */
    CPUFILTER_NCOUNTERS
};

#endif
