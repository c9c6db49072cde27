"""Work off the request: the task queue, its tasks, background jobs, schedules."""
