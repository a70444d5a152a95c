import os, time, django, cProfile, pstats, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE","config.settings.base")
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from energy.services import task_energy_tags
from labeling.models import Task
ids=list(Task.objects.order_by('id').values_list('id',flat=True)[:400])
task_energy_tags([ids[0]])
t=time.process_time(); w=time.perf_counter()
for i in ids[:300]: task_energy_tags([i])
print('per call cpu ms', (time.process_time()-t)/300*1000, 'wall', (time.perf_counter()-w)/300*1000)
with CaptureQueriesContext(connection) as q: task_energy_tags([ids[5]])
print(len(q), [x['sql'][:120] for x in q.captured_queries])
print(task_energy_tags([ids[5]]))
if len(sys.argv)>1:
    pr=cProfile.Profile(); pr.enable()
    for i in ids[:300]: task_energy_tags([i])
    pr.disable(); pstats.Stats(pr).sort_stats('cumulative').print_stats(30)
