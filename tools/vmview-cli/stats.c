// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c: the statistics and the number formats of latency (plain C,
 * also built into the host tests).
 *
 * A measurement is a set of samples in nanoseconds; it is summed up by
 * its median (the middle sample, or the mean of the two middle ones)
 * and its spread, the 10th and 90th percentiles (nearest rank: the
 * smallest sample with at least p% of them at or below it).  A row
 * prints its three figures in one unit, chosen from its median: ns
 * below 1 µs, µs below 1 ms, ms below 1 s, then s; three significant
 * digits at most.  A ratio to the textbook is "1.2" or "0.95", and
 * below 0.1 "1/N" (N to two significant digits), which reads better
 * than 3.1e-04.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview-cli.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v in place; n of 0 gives zeros. */
void vmv_stats(double *v, size_t n, struct vmv_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	s->min = v[0];
	s->max = v[n - 1];
	s->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s->p10 = vmv_percentile(v, n, 10);
	s->p90 = vmv_percentile(v, n, 90);
}

/* Nearest rank of sorted v: v[ceil(p/100 * n) - 1], at least v[0]. */
double vmv_percentile(const double *v, size_t n, unsigned int p)
{
	size_t rank = (p * n + 99) / 100;

	if (!n)
		return 0;
	return v[rank ? rank - 1 : 0];
}

static const struct {
	double ns;
	const char *name;
} units[] = {
	{ 1, "ns" }, { 1e3, "\xc2\xb5s" }, { 1e6, "ms" }, { 1e9, "s" },
};

/* The unit for a row whose median is ns: an index into units[]. */
int vmv_ns_unit(double ns)
{
	int u = 0;

	while (u + 1 < (int)ARRAY_SIZE(units) && ns >= units[u + 1].ns)
		u++;
	return u;
}

/* A number of unit u, three significant digits: 1.23, 12.3, 123, 0.52. */
static void fmt_num(char *buf, size_t len, double ns, int u)
{
	double v = ns / units[u].ns;

	if (v < 10 && v != floor(v))
		snprintf(buf, len, "%.2f", v);
	else if (v < 100 && v != floor(v))
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.0f", v);
}

/* ns in unit u: "1.23 µs", "12.3 µs", "123 µs", "0.52 µs". */
char *vmv_fmt_ns_in(char *buf, size_t len, double ns, int u)
{
	char num[32];

	fmt_num(num, sizeof(num), ns, u);
	snprintf(buf, len, "%s %s", num, units[u].name);
	return buf;
}

/* From lo to hi in unit u: "1.20-1.31 µs". */
char *vmv_fmt_ns_range(char *buf, size_t len, double lo, double hi, int u)
{
	char a[32], b[32];

	fmt_num(a, sizeof(a), lo, u);
	fmt_num(b, sizeof(b), hi, u);
	snprintf(buf, len, "%s-%s %s", a, b, units[u].name);
	return buf;
}

char *vmv_fmt_ns(char *buf, size_t len, double ns)
{
	return vmv_fmt_ns_in(buf, len, ns, vmv_ns_unit(ns));
}

char *vmv_fmt_ratio(char *buf, size_t len, double ratio)
{
	double inv, mag;

	if (!(ratio > 0) || isinf(ratio))
		snprintf(buf, len, "-");
	else if (ratio >= 10)
		snprintf(buf, len, "%.0f", ratio);
	else if (ratio >= 0.1)
		snprintf(buf, len, "%.2g", ratio);
	else {
		inv = 1 / ratio;
		mag = pow(10, floor(log10(inv)) - 1);
		snprintf(buf, len, "1/%.0f", floor(inv / mag + 0.5) * mag);
	}
	return buf;
}

/* Columns of text on a terminal: UTF-8 continuation bytes take none. */
size_t vmv_text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* s padded with blanks to width columns, on the left when right. */
void vmv_print_cell(const char *s, size_t width, bool right)
{
	size_t w = vmv_text_width(s);

	if (right)
		printf("%*s%s", (int)(width > w ? width - w : 0), "", s);
	else
		printf("%s%*s", s, (int)(width > w ? width - w : 0), "");
}
