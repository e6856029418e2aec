/* version.h -- the toolkit's release version, shared by every program. */
#ifndef AGENTCHAIN_VERSION_H
#define AGENTCHAIN_VERSION_H

#define AGENTCHAIN_VERSION "0.1.0"

#endif
