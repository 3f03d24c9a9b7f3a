/**
 * Work that is never in a hurry (a backup's copying and hashing) steps aside for the requests
 * beside it. On Linux the calling thread goes to SCHED_IDLE: it runs only on a core nothing else
 * wants, and any other thread that wakes takes the core at once (a nice value only shares the
 * core out by weight, so a woken request still waits out the slice). Elsewhere, or where the
 * policy cannot be set, the thread's nice value is raised to 10. On Linux both are the calling
 * thread's, not the whole process's: call it first thing in the thread that does the work.
 */
import { setPriority } from 'node:os'

const SCHED_IDLE = 5

/** Puts the calling thread at idle priority; what it could set ('idle', 'nice' or 'none'). */
export function yieldToOthers(): 'idle' | 'nice' | 'none' {
  if (process.platform === 'linux') {
    try {
      const { dlopen, FFIType, ptr } = require('bun:ffi') as typeof import('bun:ffi')
      const libc = dlopen('libc.so.6', {
        sched_setscheduler: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
      })
      try {
        // pid 0: the calling thread; SCHED_IDLE takes priority 0
        if (libc.symbols.sched_setscheduler(0, SCHED_IDLE, ptr(new Int32Array(1))) === 0) return 'idle'
      } finally {
        libc.close()
      }
    } catch {}
  }
  try {
    setPriority(10)
    return 'nice'
  } catch {
    return 'none'
  }
}
