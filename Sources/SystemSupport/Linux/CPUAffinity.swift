internal import CLinux
import Glibc

/// The CPUs this process may run on: its affinity mask (as `taskset` or a container's cpuset sets it), else
/// the CPUs online (`sysconf(_SC_NPROCESSORS_ONLN)`, which ignores the mask). At least 1.
package func availableCPUCount() -> Int {
    let allowed = Int(CLinux_affinityCPUCount())
    if allowed > 0 { return allowed }
    return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}
