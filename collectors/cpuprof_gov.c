/* cpuprof_gov: the on-CPU sampler's rate rule (cpuprof_int.h). Pure, for the tests. */
#include "collectors/cpuprof_int.h"

#include <math.h>

double cpuprof_gov_hz(double hz, double hz_wanted, double min_hz, double cost_pct,
                      double room_pct, bool limited)
{
    if (!(cost_pct >= 0) || !(hz > 0))
        return hz;
    if (limited && cost_pct > room_pct && hz > min_hz) {
        /* In proportion, to 90% of the room: one step lands under it, not on it. */
        double to = room_pct > 0 ? floor(hz * room_pct / cost_pct * 0.9) : min_hz;
        return fmax(min_hz, fmin(hz, to));
    }
    /* Back up only when well under: the cost at twice the rate is then still under. */
    if ((!limited || cost_pct < room_pct / 3) && hz < hz_wanted)
        return fmin(hz_wanted, hz * 2);
    return hz;
}
