package checks

// Registry returns the catalogue, in documentation order. It is a function,
// not a package variable, so callers may not mutate a shared list, and
// adding a check is one line here (no init() side effects).
func Registry() []*Check {
	return []*Check{
		// Static checks: the object alone (plus the other inputs) decides.
		memoryUnitMilliCheck(),
		memoryUnitMissingCheck(),
		memoryTooSmallCheck(),
		cpuUnitMissingCheck(),
		imageNameInvalidCheck(),
		imagePullSecretMissingCheck(),
		imagePullSecretWrongTypeCheck(),
		probePortUndefinedCheck(),
		hostPortConflictCheck(),
		schemaInvalidCheck(),
		// Cluster-aware checks.
		nodeSelectorUnsatisfiable(),
		taintNotTolerated(),
		insufficientNodeResources(),
		nodePodCapacity(),
		imagePullSecretNotFound(),
		configMapNotFound(),
		secretNotFound(),
		pvcNotFound(),
		serviceAccountNotFound(),
		limitRangeViolation(),
		resourceQuotaViolation(),
		podSecurityViolation(),
	}
}

// Lookup returns the check with the given ID, or nil.
func Lookup(id string) *Check {
	for _, c := range Registry() {
		if c.ID == id {
			return c
		}
	}
	return nil
}
