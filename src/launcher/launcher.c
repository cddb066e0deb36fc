// The zip's root `bootstrap`, the program Lambda execs: it starts bin/bootstrap through the
// bundled dynamic loader, with the effect of
//   exec $ROOT/lib/<loader> --library-path $ROOT/lib $ROOT/bin/bootstrap "$@"
// where ROOT = $LAMBDA_TASK_ROOT, else this program's own directory (from argv[0]).
//
// Why a program and not a `#!/bin/sh` script: the script made every cold start pay for a shell.
// Why freestanding (no libc, raw system calls, static, not PIE): it runs no start-up code, has
// no relocations and needs no loader, and it must not need a library: the host's libc is too
// old for the bundled ones, and the bundled loader is the thing being started.
//
// Why it maps the loader itself instead of exec'ing it: on the Lambda-like VM the cold-start
// bench runs on, one more execve costs about 1 to 1.8 ms, 10-15 % of the whole start
// (bench/NOTES.md). The loader is an ordinary position-independent ELF that, started as a
// program, relocates itself and reads its arguments; the kernel's exec of it does no more than
// map its PT_LOAD segments and hand it the initial stack. So the launcher maps those segments,
// lays out the same stack (argc, argv, envp, and its own auxiliary vector with AT_PHDR, AT_PHNUM
// and AT_ENTRY describing the loader, as the kernel would for `exec loader`), and jumps to the
// loader's entry. If anything about that fails before the jump (the loader cannot be opened or
// is not a loader of this machine, an mmap fails, too many environment variables), it falls
// back to a plain execve of the same command line, which behaves like the script did.
//
// Errors (a path too long, too many arguments, a failed exec) print one line naming the path
// and the reason on stderr and exit 127, which Lambda reports as Runtime.ExitError with that
// line in the function's log. See docs/packaging.md.

#include <elf.h>
#include <stddef.h>

#if defined(__x86_64__)
#define LAUNCHER_LOADER "ld-linux-x86-64.so.2"
enum { kMachine = EM_X86_64 };
enum { kSysRead = 0, kSysWrite = 1, kSysClose = 3, kSysMmap = 9, kSysMunmap = 11 };
enum { kSysExecve = 59, kSysExitGroup = 231, kSysOpenat = 257 };
#elif defined(__aarch64__)
#define LAUNCHER_LOADER "ld-linux-aarch64.so.1"
enum { kMachine = EM_AARCH64 };
enum { kSysRead = 63, kSysWrite = 64, kSysClose = 57, kSysMmap = 222, kSysMunmap = 215 };
enum { kSysExecve = 221, kSysExitGroup = 94, kSysOpenat = 56 };
#else
#error "the launcher knows the system calls of x86_64 and aarch64 only"
#endif

enum {
  kPathMax = 4096,  // Linux's PATH_MAX: longer paths would fail in execve anyway
  kMaxArgs = 256,   // Lambda passes none; more than this is refused, not truncated
  // The new initial stack (argc, argv, envp, auxv) in words. Lambda sets about 30 environment
  // variables; with more than fit, the launcher execs the loader instead.
  kStackWords = 4096,
  kExitFailed = 127,
};

// <fcntl.h> and <sys/mman.h> values, which are the same on both architectures.
enum { kAtFdCwd = -100, kOpenReadOnlyCloexec = 02000000 };
enum { kProtRead = 1, kProtWrite = 2, kProtExec = 4 };
enum { kMapPrivate = 0x02, kMapFixed = 0x10, kMapAnonymous = 0x20 };

static long Syscall6(long number, long a, long b, long c, long d, long e, long f) {
#if defined(__x86_64__)
  long result;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return result;
#else
  register long x8 __asm__("x8") = number;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc #0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                   : "memory");
  return x0;
#endif
}

static long Syscall3(long number, long a, long b, long c) {
  return Syscall6(number, a, b, c, 0, 0, 0);
}

// A raw system call failed: Linux returns -errno, i.e. -4095..-1.
static int Failed(long result) { return result < 0 && result > -4096; }

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

// Where the loader landed: the values the kernel would put in AT_PHDR, AT_PHNUM and AT_ENTRY.
struct Loaded {
  unsigned long phdr;
  unsigned long phnum;
  unsigned long entry;
};

static int Prot(Elf64_Word flags) {
  return ((flags & PF_R) ? kProtRead : 0) | ((flags & PF_W) ? kProtWrite : 0) |
         ((flags & PF_X) ? kProtExec : 0);
}

// Maps the loader's PT_LOAD segments the way the kernel's ELF loader does for an ET_DYN
// program. False (with nothing left mapped) when `fd` is not a loader this launcher can start.
static int MapLoader(long fd, unsigned long page, struct Loaded* loaded) {
  union {
    Elf64_Ehdr header;
    unsigned char bytes[1024];
  } head;
  const long got = Syscall3(kSysRead, fd, (long)head.bytes, sizeof head.bytes);
  const Elf64_Ehdr* eh = &head.header;
  if (Failed(got) || got < (long)sizeof *eh || eh->e_ident[EI_MAG0] != ELFMAG0 ||
      eh->e_ident[EI_MAG1] != ELFMAG1 || eh->e_ident[EI_MAG2] != ELFMAG2 ||
      eh->e_ident[EI_MAG3] != ELFMAG3 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_type != ET_DYN || eh->e_machine != kMachine || eh->e_phentsize != sizeof(Elf64_Phdr) ||
      eh->e_phnum == 0 ||
      eh->e_phoff + (unsigned long)eh->e_phnum * sizeof(Elf64_Phdr) > (unsigned long)got) {
    return 0;
  }
  const Elf64_Phdr* ph = (const Elf64_Phdr*)(head.bytes + eh->e_phoff);
  unsigned long low = ~0UL;
  unsigned long high = 0;
  unsigned long phdr_vaddr = ~0UL;
  for (int i = 0; i < eh->e_phnum; ++i) {
    if (ph[i].p_type != PT_LOAD) {
      continue;
    }
    low = ph[i].p_vaddr < low ? ph[i].p_vaddr : low;
    high = ph[i].p_vaddr + ph[i].p_memsz > high ? ph[i].p_vaddr + ph[i].p_memsz : high;
    // The program headers are part of a loaded segment (the first, for a loader).
    if (ph[i].p_offset <= eh->e_phoff && eh->e_phoff < ph[i].p_offset + ph[i].p_filesz) {
      phdr_vaddr = ph[i].p_vaddr + (eh->e_phoff - ph[i].p_offset);
    }
  }
  if (high <= low || phdr_vaddr == ~0UL) {
    return 0;
  }
  low &= ~(page - 1);
  const unsigned long span = ((high + page - 1) & ~(page - 1)) - low;
  // One reservation for the whole image, so the segments keep their relative distances.
  const long reserved = Syscall6(kSysMmap, 0, (long)span, 0, kMapPrivate | kMapAnonymous, -1, 0);
  if (Failed(reserved)) {
    return 0;
  }
  const unsigned long base = (unsigned long)reserved - low;
  for (int i = 0; i < eh->e_phnum; ++i) {
    if (ph[i].p_type != PT_LOAD) {
      continue;
    }
    const unsigned long start = base + (ph[i].p_vaddr & ~(page - 1));
    const unsigned long skew = ph[i].p_vaddr & (page - 1);
    const unsigned long file_end = base + ph[i].p_vaddr + ph[i].p_filesz;
    const unsigned long mem_end = base + ph[i].p_vaddr + ph[i].p_memsz;
    const int prot = Prot(ph[i].p_flags);
    if (ph[i].p_filesz > 0 &&
        Failed(Syscall6(kSysMmap, (long)start, (long)(ph[i].p_filesz + skew), prot,
                        kMapPrivate | kMapFixed, fd, (long)(ph[i].p_offset - skew)))) {
      Syscall3(kSysMunmap, reserved, (long)span, 0);
      return 0;
    }
    if (mem_end > file_end) {
      // .bss: the rest of the last file page is zeroed, the pages after it are anonymous.
      const unsigned long file_page_end = (file_end + page - 1) & ~(page - 1);
      if ((prot & kProtWrite) != 0 && ph[i].p_filesz > 0) {
        memset((void*)file_end, 0, file_page_end - file_end);
      }
      const unsigned long anon_start = ph[i].p_filesz > 0 ? file_page_end : start;
      const unsigned long anon_end = (mem_end + page - 1) & ~(page - 1);
      if (anon_end > anon_start &&
          Failed(Syscall6(kSysMmap, (long)anon_start, (long)(anon_end - anon_start), prot,
                          kMapPrivate | kMapFixed | kMapAnonymous, -1, 0))) {
        Syscall3(kSysMunmap, reserved, (long)span, 0);
        return 0;
      }
    }
  }
  loaded->phdr = base + phdr_vaddr;
  loaded->phnum = eh->e_phnum;
  loaded->entry = base + eh->e_entry;
  return 1;
}

__attribute__((noreturn)) static void Jump(long* stack, unsigned long entry) {
#if defined(__x86_64__)
  // %rdx = 0: no function for atexit, as the kernel leaves it.
  __asm__ volatile("mov %0, %%rsp\n xor %%edx, %%edx\n jmp *%1"
                   :
                   : "r"(stack), "r"(entry)
                   : "memory");
#else
  __asm__ volatile("mov sp, %0\n mov x0, #0\n br %1" : : "r"(stack), "r"(entry) : "memory");
#endif
  __builtin_unreachable();
}

// Starts the loader in this process with `args` (n of them) and `envp`; returns only when
// that could not be done, with nothing changed but file descriptors closed again.
static void StartInProcess(const char** args, size_t n, char** envp, const unsigned long* auxv) {
  size_t envc = 0;
  while (envp[envc] != NULL) {
    ++envc;
  }
  size_t auxc = 0;
  unsigned long page = 0;
  while (auxv[2 * auxc] != AT_NULL) {
    if (auxv[2 * auxc] == AT_PAGESZ) {
      page = auxv[2 * auxc + 1];
    }
    ++auxc;
  }
  const size_t words = 1 + n + 1 + envc + 1 + 2 * (auxc + 1);
  if (page == 0 || (page & (page - 1)) != 0 || words > kStackWords) {
    return;
  }
  const long fd = Syscall6(kSysOpenat, kAtFdCwd, (long)args[0], kOpenReadOnlyCloexec, 0, 0, 0);
  if (Failed(fd)) {
    return;
  }
  struct Loaded loaded;
  const int mapped = MapLoader(fd, page, &loaded);
  Syscall3(kSysClose, fd, 0, 0);
  if (!mapped) {
    return;
  }
  // The new initial stack, in this frame on the process's stack: the loader's stack grows down
  // from its start (over the frames below, which are never returned to) and on demand, as the
  // kernel's does. The strings it points to (arguments, environment) stay where they are.
  long block[kStackWords] __attribute__((aligned(16)));
  size_t w = 0;
  block[w++] = (long)n;
  for (size_t i = 0; i < n; ++i) {
    block[w++] = (long)args[i];
  }
  block[w++] = 0;
  for (size_t i = 0; i < envc; ++i) {
    block[w++] = (long)envp[i];
  }
  block[w++] = 0;
  for (size_t i = 0; i <= auxc; ++i) {
    unsigned long type = auxv[2 * i];
    unsigned long value = auxv[2 * i + 1];
    switch (type) {
      case AT_PHDR:
        value = loaded.phdr;
        break;
      case AT_PHNUM:
        value = loaded.phnum;
        break;
      case AT_ENTRY:
        value = loaded.entry;
        break;
      case AT_BASE:
        value = 0;  // the loader is the program: it has no interpreter
        break;
      default:
        break;
    }
    block[w++] = (long)type;
    block[w++] = (long)value;
  }
  Jump(block, loaded.entry);
}

// Called from _start with the initial stack: argc, argv[0..argc-1], NULL, envp..., NULL, auxv.
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

  char** end_of_env = envp;
  while (*end_of_env != NULL) {
    ++end_of_env;
  }
  StartInProcess(arguments, n, envp, (const unsigned long*)(end_of_env + 1));
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
