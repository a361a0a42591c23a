"""Personal data from consent to deletion: retention rules, the purge, the person's rights."""
