/* lwipopts.h: how lwIP is built into the kernel: NO_SYS (called directly from system
 * calls and the device's interrupt, which never run at the same time: the kernel runs
 * with interrupts off), IPv4 with TCP and UDP, sized for servers. */
#ifndef UK_LWIPOPTS_H
#define UK_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_TIMERS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_ALTCP 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1           /* for the manifest's ipv4: dhcp */
#define DHCP_DOES_ARP_CHECK 0 /* bind at once: a probe would hold the program a second */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1

/* 127.0.0.1 and the interface's own address reach the guest itself, as on Linux. */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_SINGLE_NETIF 0

/* Memory: lwIP's own heap and pools, static in the kernel's bss. The heap holds the
 * data a TCP send copies until it is acknowledged. */
#define MEM_ALIGNMENT 8
#define MEM_SIZE (2 * 1024 * 1024)
#define MEMP_NUM_PBUF 256
#define MEMP_NUM_UDP_PCB 32
#define MEMP_NUM_TCP_PCB 512 /* past the 256 descriptors: TIME_WAIT ones too */
#define MEMP_NUM_TCP_PCB_LISTEN 32
#define MEMP_NUM_TCP_SEG 2048
#define MEMP_NUM_REASSDATA 8
#define IP_REASS_MAX_PBUFS 64
#define MEMP_NUM_FRAG_PBUF 32
#define MEMP_NUM_ARP_QUEUE 64
#define PBUF_POOL_SIZE 1024
#define ARP_QUEUEING 1

/* TCP for servers: full-size segments, a 128 KiB window through window scaling, a
 * listen backlog, SO_REUSEADDR, and a short TIME_WAIT (2 * TCP_MSL = 2 s): a 120 s one
 * starves benchmarks of connections (DESIGN.md). */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (128 * 1024)
#define TCP_SND_BUF (128 * 1024)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT (32 * 1024) /* writable (POLLOUT) from this much room */
#define TCP_OVERSIZE TCP_MSS
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define SO_REUSE 1
#define TCP_MSL 1000UL
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_CALLBACK_API 1
#define LWIP_EVENT_API 0

#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_STATS 0
#define LWIP_CHKSUM_ALGORITHM 3
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1 /* the device's offload (stack.cpp) */
#define ETH_PAD_SIZE 0

/* lwIP keeps no name servers without its own resolver (LWIP_DNS): the options DHCP
 * does not decode itself, the name servers among them, go to the kernel. */
struct pbuf;
#ifdef __cplusplus
extern "C"
#endif
    void
    uk_dhcp_option(unsigned char option, unsigned char length, struct pbuf *p,
                   unsigned short offset);
#define LWIP_HOOK_DHCP_PARSE_OPTION(netif, dhcp, state, msg, msg_type, option, len, pbuf,      \
                                    offset)                                                    \
  uk_dhcp_option(option, len, pbuf, offset)

/* Randomness for initial sequence numbers and ports: the kernel's. */
#define LWIP_RAND() uk_lwip_random()
#ifdef __cplusplus
extern "C"
#endif
    unsigned int
    uk_lwip_random(void);

#endif
