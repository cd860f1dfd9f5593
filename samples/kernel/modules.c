/* modules.c - load the clients handed over as multiboot modules: ELF32
 * relocatable objects (ld -r).  Every SHF_ALLOC section is copied into the
 * module arena, R_386_32 / R_386_PC32 relocations are applied (undefined
 * symbols: only __start_SEC / __stop_SEC, resolved as ld does), and the
 * module's lazygate_sites section is registered with the runtime. */
#include <elf.h>
#include "lgk.h"
#include "kernel.h"

#define ARENA_SIZE (512 * 1024)
static unsigned char arena[ARENA_SIZE] __attribute__((aligned(4096)));
static unsigned long arena_used;

#define MAX_MODS 8
#define MAX_SECS 64
static struct kmodule mods[MAX_MODS];
static unsigned int nmods;

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int prefix(const char *s, const char *p)
{
	while (*p && *s == *p)
		s++, p++;
	return !*p;
}

static const char *basename(const char *s)
{
	const char *b = s;

	for (; *s && *s != ' '; s++)
		if (*s == '/')
			b = s + 1;
	return b;
}

static void *alloc(unsigned long size, unsigned long align)
{
	unsigned long a;

	if (!align)
		align = 1;
	a = (arena_used + align - 1) & ~(align - 1);
	if (a + size > ARENA_SIZE)
		return 0;
	arena_used = a + size;
	return arena + a;
}

static const Elf32_Shdr *sec_by_name(const struct kmodule *m, const char *name, unsigned int *idx)
{
	const Elf32_Ehdr *eh = m->image;
	const Elf32_Shdr *sh = (const Elf32_Shdr *)((const char *)eh + eh->e_shoff);
	const char *shstr = (const char *)eh + sh[eh->e_shstrndx].sh_offset;
	unsigned int i;

	for (i = 0; i < eh->e_shnum; i++)
		if (streq(shstr + sh[i].sh_name, name)) {
			if (idx)
				*idx = i;
			return &sh[i];
		}
	return 0;
}

/* Address of a symbol (0 if unknown). */
static unsigned long sym_addr(const struct kmodule *m, const Elf32_Sym *s, const char *strtab)
{
	const char *n = strtab + s->st_name;
	unsigned int i;

	if (s->st_shndx == SHN_ABS)
		return s->st_value;
	if (s->st_shndx != SHN_UNDEF && s->st_shndx < MAX_SECS)
		return m->sec[s->st_shndx] ? m->sec[s->st_shndx] + s->st_value : 0;
	if (prefix(n, "__start_") && sec_by_name(m, n + 8, &i))
		return m->sec[i];
	if (prefix(n, "__stop_") && sec_by_name(m, n + 7, &i))
		return m->sec[i] ? m->sec[i] + ((const Elf32_Shdr *)((const char *)m->image +
			((const Elf32_Ehdr *)m->image)->e_shoff))[i].sh_size : 0;
	return 0;
}

void *module_sym(const struct kmodule *m, const char *name)
{
	const Elf32_Ehdr *eh = m->image;
	const Elf32_Shdr *sh = (const Elf32_Shdr *)((const char *)eh + eh->e_shoff);
	unsigned int i, j;

	for (i = 0; i < eh->e_shnum; i++) {
		const Elf32_Sym *sy = (const Elf32_Sym *)((const char *)eh + sh[i].sh_offset);
		const char *str = (const char *)eh + sh[sh[i].sh_link].sh_offset;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		for (j = 1; j < sh[i].sh_size / sizeof *sy; j++)
			if (sy[j].st_shndx != SHN_UNDEF && streq(str + sy[j].st_name, name))
				return (void *)sym_addr(m, &sy[j], str);
	}
	return 0;
}

static int load(struct kmodule *m)
{
	const Elf32_Ehdr *eh = m->image;
	const Elf32_Shdr *sh = (const Elf32_Shdr *)((const char *)eh + eh->e_shoff);
	const Elf32_Shdr *t;
	unsigned int i, j, idx;

	if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' || eh->e_type != ET_REL ||
	    eh->e_machine != EM_386 || eh->e_shnum > MAX_SECS)
		return -1;
	for (i = 0; i < eh->e_shnum; i++) {
		unsigned char *p;

		m->sec[i] = 0;
		if (!(sh[i].sh_flags & SHF_ALLOC) || !sh[i].sh_size)
			continue;
		if (!(p = alloc(sh[i].sh_size, sh[i].sh_addralign)))
			return -1;
		for (j = 0; j < sh[i].sh_size; j++)
			p[j] = sh[i].sh_type == SHT_NOBITS ? 0 : ((const unsigned char *)eh + sh[i].sh_offset)[j];
		m->sec[i] = (unsigned long)p;
	}
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf32_Rel *r = (const Elf32_Rel *)((const char *)eh + sh[i].sh_offset);
		const Elf32_Shdr *symh = &sh[sh[i].sh_link];
		const Elf32_Sym *sy = (const Elf32_Sym *)((const char *)eh + symh->sh_offset);
		const char *str = (const char *)eh + sh[symh->sh_link].sh_offset;

		if (sh[i].sh_type != SHT_REL || !m->sec[sh[i].sh_info])
			continue;
		for (j = 0; j < sh[i].sh_size / sizeof *r; j++) {
			unsigned long P = m->sec[sh[i].sh_info] + r[j].r_offset;
			unsigned long S = sym_addr(m, &sy[ELF32_R_SYM(r[j].r_info)], str);

			if (!S) {
				kprintf("module %s: unresolved symbol %s\n", m->name,
					str + sy[ELF32_R_SYM(r[j].r_info)].st_name);
				return -1;
			}
			switch (ELF32_R_TYPE(r[j].r_info)) {
			case R_386_32:
				*(unsigned int *)P += (unsigned int)S;
				break;
			case R_386_PC32:
			case R_386_PLT32:
				*(unsigned int *)P += (unsigned int)(S - P);
				break;
			default:
				kprintf("module %s: relocation type %u\n", m->name, ELF32_R_TYPE(r[j].r_info));
				return -1;
			}
		}
	}
	if ((t = sec_by_name(m, LG_SITES_SECTION, &idx)) && m->sec[idx]) {
		m->sites = (struct lg_site *)m->sec[idx];
		m->nsites = t->sh_size / sizeof(struct lg_site);
	}
	if ((t = sec_by_name(m, ".text16", &idx)))
		m->text16 = m->sec[idx];
	return 0;
}

/* Load every module (mbi flags bit 3); they register their tables when the
 * tests first use them (module_get). */
void modules_init(const unsigned int *mbi)
{
	const unsigned int *e;
	unsigned int i;

	if (!(mbi[0] & 8))
		return;
	e = (const unsigned int *)mbi[6];
	for (i = 0; i < mbi[5] && nmods < MAX_MODS; i++, e += 4) {
		struct kmodule *m = &mods[nmods];
		const char *n = basename((const char *)e[2]);
		unsigned int k;

		for (k = 0; k < sizeof m->name - 1 && n[k] && n[k] != ' ' && n[k] != '.'; k++)
			m->name[k] = n[k];
		m->name[k] = 0;
		m->image = (const void *)e[0];
		m->base = (unsigned long)arena + arena_used;
		if (e[0] < (unsigned long)arena + ARENA_SIZE && e[1] > (unsigned long)arena) {
			kprintf("module %s: image overlaps the module arena\n", m->name);
			continue;
		}
		if (load(m)) {
			kprintf("module %s: cannot load\n", m->name);
			continue;
		}
		kprintf("module %s: %u bytes at %p, loaded at %p, %u sites\n", m->name, e[1] - e[0],
			(unsigned long)e[0], m->base, (unsigned)m->nsites);
		nmods++;
	}
}

const struct kmodule *module_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nmods; i++)
		if (streq(mods[i].name, name))
			return &mods[i];
	return 0;
}
