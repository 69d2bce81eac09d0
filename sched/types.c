/* SPDX-License-Identifier: MIT */
/* sched/types.c - helpers for the value types of sched/types.h. */
#include "sched/types.h"

#include <string.h>

void
sched_job_spec_init (SchedJobSpec *spec)
{
  g_return_if_fail (spec != NULL);
  memset (spec, 0, sizeof *spec);
  spec->partition = -1;
  spec->tasks = 1;
  spec->cpus_per_task = 1;
}

gboolean
sched_job_spec_is_simple (const SchedJobSpec *spec)
{
  return spec->cpus_per_task == 1 && spec->mem_per_node_mb == 0 && spec->gpus_per_node == 0
         && !spec->exclusive && spec->min_nodes <= 1 && spec->max_nodes == 0
         && spec->constraint == 0 && spec->tasks_per_node == 0 && spec->nodes_required == 0;
}

void
sched_alloc_clear (SchedAlloc *alloc)
{
  if (alloc == NULL)
    return;
  g_clear_pointer (&alloc->nodes, g_free);
  alloc->n_nodes = 0;
  alloc->cpus = 0;
  alloc->gpus = 0;
}

void
sched_alloc_copy (SchedAlloc *dst, const SchedAlloc *src)
{
  *dst = *src;
  dst->nodes = g_memdup2 (src->nodes, sizeof (SchedAllocNode) * src->n_nodes);
}

static const char *const state_names[SCHED_JOB_N_STATES] = {
  [SCHED_JOB_PENDING] = "PENDING",     [SCHED_JOB_RUNNING] = "RUNNING",
  [SCHED_JOB_COMPLETED] = "COMPLETED", [SCHED_JOB_FAILED] = "FAILED",
  [SCHED_JOB_CANCELLED] = "CANCELLED", [SCHED_JOB_TIMEOUT] = "TIMEOUT",
  [SCHED_JOB_NODE_FAIL] = "NODE_FAIL",
};

const char *
sched_job_state_name (SchedJobState state)
{
  g_return_val_if_fail (state < SCHED_JOB_N_STATES, "UNKNOWN");
  return state_names[state];
}

static const char *const reason_names[SCHED_REASON_N] = {
  [SCHED_REASON_NONE] = "None",
  [SCHED_REASON_PRIORITY] = "Priority",
  [SCHED_REASON_RESOURCES] = "Resources",
  [SCHED_REASON_PARTITION_DOWN] = "PartitionDown",
  [SCHED_REASON_PARTITION_TIME_LIMIT] = "PartitionTimeLimit",
  [SCHED_REASON_PARTITION_NODE_LIMIT] = "PartitionNodeLimit",
  [SCHED_REASON_BAD_CONSTRAINTS] = "BadConstraints",
  [SCHED_REASON_INVALID_ACCOUNT] = "InvalidAccount",
  [SCHED_REASON_INVALID_QOS] = "InvalidQOS",
  [SCHED_REASON_ACCOUNT_NOT_ALLOWED] = "AccountNotAllowed",
  [SCHED_REASON_QOS_NOT_ALLOWED] = "QOSNotAllowed",
  [SCHED_REASON_QOS_MAX_WALL] = "QOSMaxWallDurationPerJobLimit",
  [SCHED_REASON_QOS_MAX_CPU_PER_JOB] = "QOSMaxCpuPerJobLimit",
  [SCHED_REASON_QOS_MAX_GRES_PER_JOB] = "QOSMaxGRESPerJob",
  [SCHED_REASON_QOS_MAX_MEM_PER_JOB] = "QOSMaxMemoryPerJob",
  [SCHED_REASON_QOS_MAX_NODE_PER_JOB] = "QOSMaxNodePerJobLimit",
  [SCHED_REASON_QOS_MAX_SUBMIT_PER_USER] = "QOSMaxSubmitJobPerUserLimit",
  [SCHED_REASON_QOS_GRP_JOBS] = "QOSGrpJobsLimit",
  [SCHED_REASON_QOS_GRP_CPU] = "QOSGrpCpuLimit",
  [SCHED_REASON_QOS_GRP_GRES] = "QOSGrpGRES",
  [SCHED_REASON_QOS_GRP_MEM] = "QOSGrpMemLimit",
  [SCHED_REASON_QOS_GRP_NODE] = "QOSGrpNodeLimit",
  [SCHED_REASON_QOS_MAX_JOBS_PER_USER] = "QOSMaxJobsPerUserLimit",
  [SCHED_REASON_QOS_MAX_CPU_PER_USER] = "QOSMaxCpuPerUserLimit",
  [SCHED_REASON_QOS_MAX_GRES_PER_USER] = "QOSMaxGRESPerUser",
  [SCHED_REASON_QOS_MAX_MEM_PER_USER] = "QOSMaxMemoryPerUser",
  [SCHED_REASON_QOS_MAX_NODE_PER_USER] = "QOSMaxNodePerUserLimit",
  [SCHED_REASON_ASSOC_GRP_JOBS] = "AssocGrpJobsLimit",
  [SCHED_REASON_ASSOC_GRP_CPU] = "AssocGrpCpuLimit",
  [SCHED_REASON_ASSOC_GRP_GRES] = "AssocGrpGRES",
  [SCHED_REASON_ASSOC_GRP_MEM] = "AssocGrpMemLimit",
  [SCHED_REASON_ASSOC_GRP_NODE] = "AssocGrpNodeLimit",
  [SCHED_REASON_ASSOC_MAX_JOBS] = "AssocMaxJobsLimit",
  [SCHED_REASON_ASSOC_MAX_SUBMIT] = "AssocMaxSubmitJobLimit",
  [SCHED_REASON_ASSOC_MAX_WALL] = "AssocMaxWallDurationPerJobLimit",
  [SCHED_REASON_ASSOC_MAX_CPU_PER_JOB] = "AssocMaxCpuPerJobLimit",
  [SCHED_REASON_ASSOC_MAX_GRES_PER_JOB] = "AssocMaxGRESPerJob",
  [SCHED_REASON_ASSOC_MAX_MEM_PER_JOB] = "AssocMaxMemPerJob",
  [SCHED_REASON_ASSOC_MAX_NODE_PER_JOB] = "AssocMaxNodePerJobLimit",
  [SCHED_REASON_DEPENDENCY] = "Dependency",
  [SCHED_REASON_DEPENDENCY_NEVER] = "DependencyNeverSatisfied",
  [SCHED_REASON_BEGIN_TIME] = "BeginTime",
  [SCHED_REASON_HELD_USER] = "JobHeldUser",
  [SCHED_REASON_ARRAY_TASK_LIMIT] = "JobArrayTaskLimit",
};

const char *
sched_reason_name (SchedReason reason)
{
  g_return_val_if_fail (reason < SCHED_REASON_N, "Unknown");
  return reason_names[reason];
}
