// The zip's root `bootstrap`, the program Lambda execs: it starts bin/bootstrap through the
// bundled dynamic loader, exactly like
//   exec $ROOT/lib/<loader> --library-path $ROOT/lib $ROOT/bin/bootstrap "$@"
// with ROOT = $LAMBDA_TASK_ROOT, else this program's own directory (from argv[0]).
//
// Why a program and not a `#!/bin/sh` script: the script made the cold start pay for a shell
// (3.8 ms of 15.3 on the bench machine, bench/NOTES.md). Why freestanding (no libc, raw system
// calls, static, not PIE): it then runs no start-up code at all, has no relocations and needs no
// loader, so it costs one exec more than starting the loader directly. It must not need a
// library itself: the host's libc is too old for the bundled ones, and the bundled loader is
// the thing being started. See docs/packaging.md.
//
// Errors (a path too long, too many arguments, a failed exec) print one line naming the path
// and the reason on stderr and exit 127, which Lambda reports as Runtime.ExitError with that
// line in the function's log.

#include <stddef.h>

#if defined(__x86_64__)
#define LAUNCHER_LOADER "ld-linux-x86-64.so.2"
enum { kSysWrite = 1, kSysExecve = 59, kSysExitGroup = 231 };
#elif defined(__aarch64__)
#define LAUNCHER_LOADER "ld-linux-aarch64.so.1"
enum { kSysWrite = 64, kSysExecve = 221, kSysExitGroup = 94 };
#else
#error "the launcher knows the system calls of x86_64 and aarch64 only"
#endif

enum {
  kPathMax = 4096,  // Linux's PATH_MAX: longer paths would fail in execve anyway
  kMaxArgs = 256,   // Lambda passes none; more than this is refused, not truncated
  kExitFailed = 127,
};

static long Syscall3(long number, long a, long b, long c) {
#if defined(__x86_64__)
  long result;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"(a), "S"(b), "d"(c)
                   : "rcx", "r11", "memory");
  return result;
#else
  register long x8 __asm__("x8") = number;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
#endif
}

// GCC may turn loops into calls of these even when freestanding; there is no libc to supply them.
void* memcpy(void* dest, const void* src, size_t n) {
  unsigned char* d = dest;
  const unsigned char* s = src;
  while (n-- > 0) {
    *d++ = *s++;
  }
  return dest;
}

void* memset(void* dest, int value, size_t n) {
  unsigned char* d = dest;
  while (n-- > 0) {
    *d++ = (unsigned char)value;
  }
  return dest;
}

static size_t Length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') {
    ++n;
  }
  return n;
}

static void Print(const char* s) { Syscall3(kSysWrite, 2, (long)s, (long)Length(s)); }

__attribute__((noreturn)) static void Fail(const char* what, const char* subject,
                                           const char* reason) {
  Print("bootstrap (launcher): ");
  Print(what);
  Print(subject);
  Print(": ");
  Print(reason);
  Print("\n");
  Syscall3(kSysExitGroup, kExitFailed, 0, 0);
  __builtin_unreachable();
}

// The few execve errors a broken unzip can cause, in words; the number for the rest.
static const char* ExecError(long error) {
  static char other[] = "error number 000";
  switch (error) {
    case 2:
      return "no such file (is lib/ missing from the zip?)";
    case 8:
      return "exec format error (a loader for another architecture?)";
    case 13:
      return "permission denied (the loader must be executable)";
    default:
      other[13] = (char)('0' + error / 100 % 10);
      other[14] = (char)('0' + error / 10 % 10);
      other[15] = (char)('0' + error % 10);
      return other;
  }
}

// Appends `part` to the path in `buffer` (of kPathMax bytes) at *used; false if it does not fit.
static int Append(char* buffer, size_t* used, const char* part, size_t length) {
  if (*used + length >= kPathMax) {
    return 0;
  }
  memcpy(buffer + *used, part, length);
  *used += length;
  buffer[*used] = '\0';
  return 1;
}

static char loader[kPathMax];
static char library_path[kPathMax];
static char binary[kPathMax];
static const char* arguments[kMaxArgs + 5];

static void BuildPath(char* buffer, const char* root, size_t root_length, const char* suffix) {
  size_t used = 0;
  if (!Append(buffer, &used, root, root_length) || !Append(buffer, &used, suffix, Length(suffix))) {
    Fail("path too long: ", root, "the task root and file name exceed PATH_MAX");
  }
}

static const char* FindEnv(char** envp, const char* name) {
  const size_t length = Length(name);
  for (; *envp != NULL; ++envp) {
    const char* entry = *envp;
    size_t i = 0;
    while (i < length && entry[i] == name[i]) {
      ++i;
    }
    if (i == length && entry[i] == '=') {
      return entry + length + 1;
    }
  }
  return NULL;
}

// Called from _start with the initial stack: argc, argv[0..argc-1], NULL, envp..., NULL.
__attribute__((noreturn, used)) void LauncherMain(long* stack) {
  const long argc = stack[0];
  char** argv = (char**)(stack + 1);
  char** envp = argv + argc + 1;

  const char* root = FindEnv(envp, "LAMBDA_TASK_ROOT");
  size_t root_length = root != NULL ? Length(root) : 0;
  if (root_length == 0) {
    // This program's directory: everything up to the last '/' of argv[0], else the current one.
    root = ".";
    root_length = 1;
    const char* self = argc > 0 ? argv[0] : "";
    for (size_t i = 0; self[i] != '\0'; ++i) {
      if (self[i] == '/') {
        root = self;
        root_length = i == 0 ? 1 : i;
      }
    }
  }
  BuildPath(loader, root, root_length, "/lib/" LAUNCHER_LOADER);
  BuildPath(library_path, root, root_length, "/lib");
  BuildPath(binary, root, root_length, "/bin/bootstrap");

  if (argc > kMaxArgs) {
    Fail("too many arguments for ", binary, "more than 256");
  }
  size_t n = 0;
  arguments[n++] = loader;
  arguments[n++] = "--library-path";
  arguments[n++] = library_path;
  arguments[n++] = binary;
  for (long i = 1; i < argc; ++i) {
    arguments[n++] = argv[i];
  }
  arguments[n] = NULL;
  const long result = Syscall3(kSysExecve, (long)loader, (long)arguments, (long)envp);
  Fail("cannot exec ", loader, ExecError(-result));
}

// The kernel jumps here with the stack pointer at argc; LauncherMain never returns.
#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  xor %ebp, %ebp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call LauncherMain\n"
    "  hlt\n");
#else
__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  mov x29, #0\n"
    "  mov x30, #0\n"
    "  mov x0, sp\n"
    "  bl LauncherMain\n"
    "  brk #0\n");
#endif
