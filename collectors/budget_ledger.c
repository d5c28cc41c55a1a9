/* budget_ledger: what each probe on the target costs now, shared between the collectors'
 * threads (budget_ledger.h). */
#include "collectors/budget_ledger.h"

#include <math.h>
#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double cost[LEDGER_NPARTS];

void ledger_report(enum ledger_part part, double pct)
{
    if ((unsigned)part >= LEDGER_NPARTS)
        return;
    pthread_mutex_lock(&lock);
    cost[part] = isfinite(pct) && pct > 0 ? pct : 0.0;
    pthread_mutex_unlock(&lock);
}

double ledger_others(enum ledger_part part)
{
    double sum = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < LEDGER_NPARTS; i++)
        if (i != (int)part)
            sum += cost[i];
    pthread_mutex_unlock(&lock);
    return sum;
}

double ledger_get(enum ledger_part part)
{
    if ((unsigned)part >= LEDGER_NPARTS)
        return 0.0;
    pthread_mutex_lock(&lock);
    double v = cost[part];
    pthread_mutex_unlock(&lock);
    return v;
}
