#include "errors.h"

const char *k_error_name(enum k_error err)
{
	switch (err) {
	case K_OK:
		return "ok";
	case K_ERR_INVALID_ARGUMENT:
		return "invalid argument";
	case K_ERR_RANGE:
		return "out of range";
	case K_ERR_ALIGNMENT:
		return "misaligned";
	case K_ERR_NO_MEMORY:
		return "table full";
	case K_ERR_NOT_FOUND:
		return "not found";
	case K_ERR_NOT_SUPPORTED:
		return "not supported";
	}
	return "unknown error";
}
