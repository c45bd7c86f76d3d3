#include "objects/tcb.h"

void tcb_set_name(struct tcb *t, const char *name)
{
	size_t i = 0;

	for (; i + 1 < TCB_NAME_LEN && name[i] != '\0'; i++) {
		t->name[i] = name[i];
	}
	t->name[i] = '\0';
}
